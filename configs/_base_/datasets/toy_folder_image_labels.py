# The toy set in the own-folder format (e.g. `tools/make_toy_dataset.py
# --classes a b c`, or tools/make_standin.py's set): toy_image_labels.py's
# pipelines with folder_image_labels.py's dataset. model.num_classes:
# tools/pipeline.py sets it from train.json.
_base_ = ['./toy_image_labels.py']

data_root = 'data/toy_folder'
crop_size = 112  # as toy_image_labels.py
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadMaskIfExists'),  # masks are optional in this format
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    dataset=dict(type='ImageLabelFolderDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images')))
val_dataloader = dict(
    dataset=dict(type='ImageLabelFolderDataset', data_root=data_root,
                 ann_file='val.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path='masks'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
