# Option of issue 12 on the toy SeeNet: δl at least the median of each
# image's normalised attention (model.low_quantile=0.5), so that T_A's
# background zone holds about half of the map (objects cover about a quarter
# of a toy image); everything else as seenet_vgg16_toy.py.
_base_ = ['./seenet_vgg16_toy.py']
model = dict(low_quantile=0.5)
