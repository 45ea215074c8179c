# ACoL on the CamVid views (Table 1's setting 1: binary erasing of S_A's high
# zone, no C-ReLU, no S_C), with ACoL's own threshold and normalisation as
# the VOC sibling, and ACoL's two 3x3 convolutions before the score layer at
# the width of the SeeNet config's branches (256; ACoL: 1024), so that the
# modes compared differ in their erasing, not in their capacity; everything
# else as seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py.
_base_ = ['./seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py']
model = dict(
    mode='acol',
    mask_norm='minmax',  # ACoL: (m - min) / (max - min)
    high=0.6,  # ACoL's default erasing threshold
    branch=dict(num_convs=2))  # ACoL's classifier: two 3x3 convolutions
