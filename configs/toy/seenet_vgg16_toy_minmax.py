# Option of issue 12 on the toy SeeNet: T_A and B_bg from S_A's class maps
# normalised by their min and max (model.mask_norm='minmax', as ACoL does)
# instead of clipped at 0 and divided by the max; everything else as
# seenet_vgg16_toy.py.
_base_ = ['./seenet_vgg16_toy.py']
model = dict(mask_norm='minmax')
