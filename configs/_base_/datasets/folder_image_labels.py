# Your own folder of images with image-level labels (docs/data.md):
# DIR/images, DIR/train.json, DIR/val.json (mmpretrain's multi-label
# annotation format; the classes come from metainfo.classes), DIR/masks
# optional (seed metric of the validation images that have one).
# model.num_classes must equal the number of classes: tools/pipeline.py
# sets it from train.json; the tools check it before the first iteration.
# Pipelines, loaders and metrics as voc_image_labels.py; only the dataset
# and the optional masks differ.
_base_ = ['./voc_image_labels.py']

dataset_type = 'ImageLabelFolderDataset'
data_root = 'data/my_dataset'
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),  # as VOC's
    dict(type='LoadMaskIfExists'),  # masks are optional in this format
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images')))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='val.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path='masks'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
