# Your own folder of images with image-level labels (README, "Your own
# data"): DIR/images, DIR/train.json, DIR/val.json (mmpretrain's multi-label
# annotation format; the classes come from metainfo.classes), DIR/masks
# optional (seed metric of the validation images that have one).
# model.num_classes must equal the number of classes: tools/pipeline.py
# sets it from train.json; the tools check it before the first iteration.
dataset_type = 'ImageLabelFolderDataset'
data_root = 'data/my_dataset'
crop_size = 224  # as voc_image_labels.py
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=crop_size,
         crop_ratio_range=(0.08, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomApply', transforms=[dict(type='PhotoMetricDistortion')],
         prob=0.0),
    dict(type='PackImageLabelInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadMaskIfExists'),  # masks are optional in this format
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.json',
        data_prefix=dict(img_path='images'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val.json',
        data_prefix=dict(img_path='images', seg_map_path='masks'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='MultiLabelMAP'), dict(type='AttentionSeedMetric'),
                 dict(type='ZoneMetric')]  # T_A's zones against the masks
test_evaluator = val_evaluator
