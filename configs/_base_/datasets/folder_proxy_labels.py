# Your own folder for segmentation: train.json images with *proxy labels*
# (tools/make_proxy_labels.py) for training, val.json with DIR/masks for
# evaluation. Classes: ('background', *metainfo.classes of train.json);
# model.decode_head.num_classes must be their number (M + 1). Pipelines,
# loaders and metric as voc_proxy_labels.py; only the dataset differs.
_base_ = ['./voc_proxy_labels.py']

dataset_type = 'ImageFolderSegDataset'
data_root = 'data/my_dataset'
# Folder of the proxy-label PNGs: relative to data_root, or absolute
# (tools/pipeline.py passes its own labels folder).
proxy_label_dir = 'proxy_labels'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='val.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path='masks')))
test_dataloader = val_dataloader
