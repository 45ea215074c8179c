# The toy SeeNet from the toy stand-in
# (seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py) on a set in the
# own-folder format: what `tools/pipeline.py --preset toy --data-root DIR`
# trains on an own folder. The datasets as in
# seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py. model.num_classes:
# tools/pipeline.py sets it from train.json.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py']

data_root = 'data/toy_folder'
crop_size = 112
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
