# SeeNet without the sign flip on the CamVid views (Table 1's setting 2:
# T = -1 replaced by 0), everything else as
# seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py.
_base_ = ['./seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py']
model = dict(mode='seenet-noflip')
