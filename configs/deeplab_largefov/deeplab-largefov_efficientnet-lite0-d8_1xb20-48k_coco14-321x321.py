# DeepLab-LargeFOV on EfficientNet-Lite0 (output stride 8) on SeeNet's proxy
# labels of MS COCO 2014: deeplab-largefov_vgg16_1xb20-48k_coco14-321x321.py's
# data and schedule with the backbone and head of
# deeplab-largefov_efficientnet-lite0-d8_1xb20-6k_voc12aug-321x321.py.
_base_ = [
    '../_base_/models/deeplab_largefov_efficientnet-lite0.py',
    '../_base_/datasets/coco_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
model = dict(decode_head=dict(num_classes=81))  # background + 80
max_iters = 48000
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[16000, 32000],
         gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=16000)
optim_wrapper = dict(
    paramwise_cfg=dict(new_modules=('decode_head.fc6', 'decode_head.fc7',
                                    'decode_head.conv_seg')))
default_hooks = dict(checkpoint=dict(interval=16000))
