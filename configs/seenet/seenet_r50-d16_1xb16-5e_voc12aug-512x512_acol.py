# Ablation (paper Table 1, setting 1) on ResNet-50: ACoL's erasing and
# classifier as in seenet_vgg16_1xb16-25k_voc12aug-224x224_acol.py (min-max
# normalised maps erased at >= 0.6; 3x3 conv 1024, 3x3 conv 1024, 1x1 conv per
# branch, here on layer4's 2048 channels); everything else as
# seenet_r50-d16_1xb16-5e_voc12aug-512x512.py.
_base_ = ['./seenet_r50-d16_1xb16-5e_voc12aug-512x512.py']
model = dict(
    mode='acol',
    mask_norm='minmax',  # ACoL: (m - min) / (max - min)
    high=0.6,  # ACoL's default erasing threshold
    branch=dict(channels=1024, num_convs=2))  # ACoL's classifier
