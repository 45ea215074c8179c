# IRN's affinity network (irn_r50_1xb32-3e_voc12aug-512x512.py: IRN's
# recipe, frozen ImageNet ResNet-50) on MS COCO 2014 train2014 converted
# into the own-folder format (tools/convert_coco.py), trained on the
# confident seeds of its attention maps (tools/make_proxy_labels.py
# --method threshold --crf into DIR/seeds; tools/pipeline.py passes its own
# folder). The network is class-agnostic: the pair labels come from the
# seeds, whatever the number of classes (80 here). Schedule (ours; IRN
# reports no COCO run): IRN's 3 epochs of the 82,081 train2014 images at
# batch 32, lr 0.1, poly.
_base_ = ['./irn_r50_1xb32-3e_voc12aug-512x512.py']

data_root = 'data/coco2014_wsss'
proxy_label_dir = 'seeds'
train_dataloader = dict(
    dataset=dict(type='ImageFolderSegDataset', data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path=proxy_label_dir)))
max_iters = 7695  # 3 x 82,081 / 32
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(checkpoint=dict(interval=max_iters))
