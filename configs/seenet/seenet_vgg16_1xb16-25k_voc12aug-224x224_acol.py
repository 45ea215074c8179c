# Ablation (paper Table 1, setting 1): ACoL, run "with hyper-parameters all
# same to the default ones in [ACoL]". ACoL's official code
# (github.com/xiaomengyc/ACoL, models/vgg/vgg_v1.py, --threshold 0.6):
# erase where the min-max normalised class map is >= 0.6, with its own
# classifier, 3x3 conv 512->1024, 3x3 conv 1024->1024, 1x1 conv 1024->C.
# mode='acol' with mask_norm='max', high=0.7 and SeeNet's branch
# (3 x 3x3 conv 512) is this project's earlier ACoL variant.
_base_ = ['./seenet_vgg16_1xb16-25k_voc12aug-224x224.py']
model = dict(
    mode='acol',
    mask_norm='minmax',  # ACoL: (m - min) / (max - min)
    high=0.6,  # ACoL's default erasing threshold
    branch=dict(channels=1024, num_convs=2))  # ACoL's classifier
