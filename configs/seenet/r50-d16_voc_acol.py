# Ablation (paper Table 1, setting 1) on ResNet-50: ACoL's erasing and
# classifier as in vgg16_voc_acol.py (min-max normalised maps erased at
# >= 0.6; 3x3 conv 1024, 3x3 conv 1024, 1x1 conv per branch, here on
# layer4's 2048 channels); everything else as r50-d16_voc.py.
_base_ = ['./r50-d16_voc.py']
model = dict(
    mode='acol',
    mask_norm='minmax',  # ACoL: (m - min) / (max - min)
    high=0.6,  # ACoL's default erasing threshold
    branch=dict(channels=1024, num_convs=2))  # ACoL's classifier
