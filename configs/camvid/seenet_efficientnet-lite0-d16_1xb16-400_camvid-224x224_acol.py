# ACoL on the CamVid views (Table 1's setting 1: binary erasing of S_A's high
# zone, no C-ReLU, no S_C), with ACoL's own threshold, normalisation and
# classifier as the VOC sibling; everything else as
# seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py.
_base_ = ['./seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py']
model = dict(
    mode='acol',
    mask_norm='minmax',  # ACoL: (m - min) / (max - min)
    high=0.6,  # ACoL's default erasing threshold
    branch=dict(channels=1024, num_convs=2))  # ACoL's classifier
