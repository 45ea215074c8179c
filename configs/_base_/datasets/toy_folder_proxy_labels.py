# The toy set in the own-folder format for the toy segmentation networks:
# toy_proxy_labels.py's pipelines with folder_proxy_labels.py's dataset
# (train.json images with their proxy labels, val.json with DIR/masks).
# model.decode_head.num_classes (M + 1): tools/pipeline.py sets it from
# train.json.
_base_ = ['./toy_proxy_labels.py']

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
