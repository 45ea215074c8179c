# Option beyond the paper on the toy SeeNet: T_A and B_bg from S_A's class
# maps normalised by their min and max (model.mask_norm='minmax', as ACoL
# does) instead of clipped at 0 and divided by the max, so that warm maps
# still leave a background zone; everything else as
# seenet_vgg16-tiny_1xb16-800_toy-112x112.py.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112.py']
model = dict(mask_norm='minmax')
