# Ablation (paper Table 1) on ResNet-50: mode='cam' (S_A only, the SeeNet
# branch); everything else as seenet_r50-d16_1xb16-5e_voc12aug-512x512.py.
# IRN's own CAM classifier is a bias-free 1x1 conv on layer4:
# branch=dict(num_convs=0) comes close (with a bias).
_base_ = ['./seenet_r50-d16_1xb16-5e_voc12aug-512x512.py']
model = dict(mode='cam')
