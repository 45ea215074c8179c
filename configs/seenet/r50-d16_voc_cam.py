# Ablation (paper Table 1) on ResNet-50: mode='cam' (S_A only, the SeeNet
# branch); everything else as r50-d16_voc.py. IRN's own CAM classifier is a
# bias-free 1x1 conv on layer4: branch=dict(num_convs=0) comes close (with a
# bias).
_base_ = ['./r50-d16_voc.py']
model = dict(mode='cam')
