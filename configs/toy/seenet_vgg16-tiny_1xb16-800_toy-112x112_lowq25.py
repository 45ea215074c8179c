# Option beyond the paper on the toy SeeNet: δl relative to each image, at
# least the 25 % quantile of its normalised attention (model.low_quantile),
# so that T_A's background zone is not empty on warm maps; everything else
# as seenet_vgg16-tiny_1xb16-800_toy-112x112.py. Only the seenet modes use
# the background zone.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112.py']
model = dict(low_quantile=0.25)
