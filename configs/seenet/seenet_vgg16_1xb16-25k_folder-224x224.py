# SeeNet, VGG16, paper settings, on your own folder of images with
# image-level labels (docs/data.md). Set model.num_classes to the number of
# classes in train.json (tools/pipeline.py does it).
_base_ = [
    '../_base_/models/seenet_vgg16.py',
    '../_base_/datasets/folder_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
# ImageNet VGG16 converted by tools/convert_vgg16.py (as
# seenet_vgg16_1xb16-25k_voc12aug-224x224.py)
pretrained = 'pretrain/vgg16_seenet.pth'
model = dict(
    mode='seenet',
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')))
