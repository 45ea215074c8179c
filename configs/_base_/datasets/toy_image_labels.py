# The synthetic toy set (tools/make_toy_dataset.py) with image-level labels,
# in VOC 2012's layout: voc_image_labels.py at toy sizes, for the toy
# attention networks.
_base_ = ['./voc_image_labels.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
crop_size = 112  # toy images are 128-192 x 96-160; validation at 112, but the
# attention maps are made at model.test_cfg.sizes = (224, ) (seenet_vgg16.py)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=crop_size,
         crop_ratio_range=(0.4, 1.0)),  # small images: keep objects
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackImageLabelInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadAnnotations'),  # masks for the seed metric only
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
