# CAM on the CamVid views: S_A only (Table 1's baseline), everything else as
# seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py.
_base_ = ['./seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py']
model = dict(mode='cam')
