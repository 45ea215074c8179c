# DeepLab-LargeFOV (VGG16) on SeeNet's proxy labels of MS COCO 2014 train2014,
# evaluated on val2014 (81 classes with the background). VGG16
# DeepLab-LargeFOV is the segmentation network SeeNet reports with on VOC
# (deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py: same network, same
# optimiser and multipliers, DeepLab v1's recipe); a VGG16 DeepLab is also
# the network of the VGG16 rows of COCO comparisons in WSSS papers. The
# length of the schedule is a choice of ours (below): SeeNet reports no
# COCO result and we follow no published COCO schedule.
# The VOC config's bases with COCO's data in place of VOC's (mmengine
# forbids two bases that define the same keys); the VOC config adds nothing
# to its bases.
_base_ = [
    '../_base_/models/deeplab_largefov_vgg16.py',
    '../_base_/datasets/coco_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
model = dict(decode_head=dict(num_classes=81))  # background + 80
# Schedule (ours): DeepLab v1's 6000 iterations of 20 crops are 11.3 epochs
# of VOC's 10,582 train_aug images; the same number of epochs of COCO's
# 82,081 images is 46.5k iterations: 48k, the lr divided by 10 after each
# third as DeepLab v1 (2000 and 4000 of 6000). Batch 20, crops 321, lr 1e-3
# (fc8 10x), momentum 0.9, weight decay 5e-4 as DeepLab v1.
max_iters = 48000
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[16000, 32000],
         gamma=0.1)
]
# val2014 (40,137 images at full size): validate every third
train_cfg = dict(max_iters=max_iters, val_interval=16000)
default_hooks = dict(checkpoint=dict(interval=16000))
