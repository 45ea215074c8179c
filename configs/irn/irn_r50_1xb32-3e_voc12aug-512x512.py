# IRN's affinity network (Ahn, Cho & Kwak, CVPR 2019; its recipe,
# github.com/jiwoon-ahn/irn, step/train_irn.py): the boundary branch on the
# frozen ImageNet ResNet-50, trained on the confident seeds of VOC 2012
# train_aug (tools/make_proxy_labels.py --method threshold --crf), crops of
# 512, random scaling 0.5-1.5, batch 32, 3 epochs, lr 0.1, poly, weight
# decay 1e-4. Taps: layer1..layer4 of mmpretrain's ResNet (IRN also taps
# the stem's 64 channels, which mmpretrain does not return). IRN's
# displacement branch (instance segmentation) is not part of this.
_base_ = ['../_base_/models/irn_r50.py',
          '../_base_/datasets/voc_seeds.py',
          '../_base_/schedules/irn_3e.py',
          '../_base_/default_runtime.py']

crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(512, 512), ratio_range=(0.5, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=32,
                        dataset=dict(pipeline=train_pipeline))
