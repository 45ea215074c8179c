# The toy DeepLab-LargeFOV from the toy stand-in
# (deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96.py) on a set in
# the own-folder format: what `tools/pipeline.py --preset toy --data-root
# DIR` trains on an own folder. The datasets as in
# deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py, i.e.
# ../_base_/datasets/toy_folder_proxy_labels.py, repeated here: the
# stand-in's rescaled train pipeline and the own-folder dataset both change
# train_dataloader, and mmengine forbids two bases defining the same keys,
# so this config inherits the stand-in one instead; keep the two in step.
# model.decode_head.num_classes (M + 1): tools/pipeline.py sets it from
# train.json.
_base_ = ['./deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96.py']

data_root = 'data/toy_folder'
proxy_label_dir = 'proxy_labels'
train_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
val_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='val.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path='masks')))
test_dataloader = val_dataloader
