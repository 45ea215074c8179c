# DeepLab-LargeFOV (VGG16) on SeeNet's proxy labels of VOC 2012 train_aug,
# evaluated on VOC 2012 val. Paper (SeeNet Table 2, VGG16): 59.9 mIoU w/o
# CRF, 61.1 w/ CRF on val (the paper's figures).
_base_ = [
    '../_base_/models/deeplab_largefov_vgg16.py',
    '../_base_/datasets/voc_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
