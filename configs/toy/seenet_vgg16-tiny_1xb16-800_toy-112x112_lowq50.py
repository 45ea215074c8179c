# Option beyond the paper on the toy SeeNet: δl at least the median of
# each image's normalised attention (model.low_quantile=0.5), so that T_A's
# background zone holds about half of the map (objects cover about a
# quarter of a toy image); everything else as
# seenet_vgg16-tiny_1xb16-800_toy-112x112.py.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112.py']
model = dict(low_quantile=0.5)
