# The toy set in the own-folder format (tools/make_toy_dataset.py
# --classes a b c ...) for the toy affinity networks: the images of
# train.json with their confident seeds (tools/pipeline.py passes its own
# folder); toy_seeds.py's crops and batch.
_base_ = ['./toy_seeds.py']

data_root = 'data/toy_folder'
proxy_label_dir = 'seeds'
train_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
