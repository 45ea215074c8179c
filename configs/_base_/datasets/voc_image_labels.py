# VOC 2012 train_aug with image-level labels from Annotations/*.xml
# (never from the masks); validation by multi-label mAP on VOC 2012 val.
dataset_type = 'VOCImageLabelDataset'
data_root = 'data/VOCdevkit/VOC2012'
crop_size = 224  # paper: 224 x 224
train_pipeline = [
    dict(type='LoadImageFromFile'),
    # "augmentation as in ResNet training": random resized crop + flip
    dict(type='mmpretrain.RandomResizedCrop', scale=crop_size,
         crop_ratio_range=(0.08, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # photometric jitter: in neither the paper nor ResNet's augmentation;
    # off (prob=0.0), prob=1.0 turns it on
    dict(type='RandomApply', transforms=[dict(type='PhotoMetricDistortion')],
         prob=0.0),
    dict(type='PackImageLabelInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    # masks at their original size, for the seed metric only (the labels
    # still come from Annotations/*.xml)
    dict(type='LoadAnnotations'),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    batch_size=16,  # paper: 16 images per iteration (per process here)
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/trainaug.txt',
        data_prefix=dict(img_path='JPEGImages', xml_path='Annotations'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='ImageSets/Segmentation/val.txt',
        data_prefix=dict(img_path='JPEGImages', xml_path='Annotations',
                         seg_map_path='SegmentationClass'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# classification mAP, and the seed mIoU of the attention maps (single view;
# tools/eval_seeds.py gives the full protocol with the flipped view)
val_evaluator = [dict(type='MultiLabelMAP'), dict(type='AttentionSeedMetric'),
                 dict(type='ZoneMetric')]  # T_A's zones against the masks
test_evaluator = val_evaluator
