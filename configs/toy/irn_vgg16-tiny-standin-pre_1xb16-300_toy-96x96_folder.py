# The toy affinity network (irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py)
# on a set in the own-folder format: the images of train.json with their
# confident seeds (tools/pipeline.py passes its own folder).
_base_ = ['./irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py']

data_root = 'data/toy_folder'
proxy_label_dir = 'seeds'
train_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
