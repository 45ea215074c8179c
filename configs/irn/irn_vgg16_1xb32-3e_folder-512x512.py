# IRN's affinity network on VGG16 (irn_vgg16_1xb32-3e_voc12aug-512x512.py)
# for your own folder: the images of train.json with their confident seeds
# (tools/pipeline.py passes its own folder). max_iters: set it to about 3
# epochs of your train set at batch 32.
_base_ = ['./irn_vgg16_1xb32-3e_voc12aug-512x512.py']

data_root = 'data/my_dataset'
proxy_label_dir = 'seeds'
train_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
