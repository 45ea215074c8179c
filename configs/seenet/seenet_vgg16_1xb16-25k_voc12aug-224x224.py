# SeeNet, VGG16, PASCAL VOC 2012 train_aug image labels (paper settings).
_base_ = [
    '../_base_/models/seenet_vgg16.py',
    '../_base_/datasets/voc_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
# ImageNet VGG16 converted by tools/convert_vgg16.py from torchvision's
# vgg16-397923af.pth (see docs/data.md).
pretrained = 'pretrain/vgg16_seenet.pth'
model = dict(
    mode='seenet',
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')))
