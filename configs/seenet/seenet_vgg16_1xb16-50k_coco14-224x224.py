# SeeNet, VGG16, MS COCO 2014 image labels (80 classes; train2014 for training,
# val2014 for validation; tools/convert_coco.py). The paper trains and reports
# on PASCAL VOC only: SeeNet itself, the network, the optimiser and its
# per-layer multipliers are seenet_vgg16_1xb16-25k_voc12aug-224x224.py's (the
# paper's); the length of the schedule is a choice of ours (below), not a
# published COCO recipe of SeeNet. seenet_vgg16_1xb16-25k_voc12aug-224x224.py's
# bases with COCO's data in place of VOC's (mmengine forbids two bases that
# define the same keys, so this file cannot inherit
# seenet_vgg16_1xb16-25k_voc12aug-224x224.py and the COCO dataset base both);
# the rest of seenet_vgg16_1xb16-25k_voc12aug-224x224.py is repeated below.
_base_ = [
    '../_base_/models/seenet_vgg16.py',
    '../_base_/datasets/coco_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
pretrained = 'pretrain/vgg16_seenet.pth'  # as seenet_vgg16_1xb16-25k_voc12aug-224x224.py
model = dict(
    mode='seenet',
    num_classes=80,  # COCO's 80 classes (train.json's metainfo.classes)
    backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                                prefix='backbone.')))
# Schedule (ours): the paper's 25k iterations of 16 images are 38 epochs of
# VOC's 10,582 train_aug images; COCO's 82,081 images make one epoch 8x as
# long, so we train 50k iterations (9.7 epochs, 800k images seen, twice
# VOC's), dividing the lr by 10 at the same 60 % of the schedule (paper:
# 15k of 25k). Batch 16, lr 1e-3, weight decay 2e-4 as the paper.
max_iters = 50000
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[30000], gamma=0.1)
]
# val2014 has 40,137 images: validate every 10k iterations
train_cfg = dict(max_iters=max_iters, val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000))
