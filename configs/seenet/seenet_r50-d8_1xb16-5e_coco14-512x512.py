# SeeNet, ResNet-50 at output stride 8, MS COCO 2014 image labels (80 classes;
# tools/convert_coco.py). The network, the pipelines, the optimiser and the
# poly schedule are seenet_r50-d8_1xb16-5e_voc12aug-512x512.py's (IRN's recipe,
# Ahn et al., CVPR 2019, as seenet_r50-d16_1xb16-5e_voc12aug-512x512.py says);
# only the data, the number of classes and the length in iterations change
# here. IRN's 5 epochs, counted on COCO's 82,081 train2014 images, are a choice
# of ours: the paper trains on VOC only. Inherits
# seenet_r50-d8_1xb16-5e_voc12aug-512x512.py (where IRN's recipe lives) and
# swaps VOC's dataset for the own-folder one of
# ../_base_/datasets/coco_image_labels.py (a config cannot have both as bases:
# mmengine forbids two bases defining the same keys); keep the two in step.
_base_ = ['./seenet_r50-d8_1xb16-5e_voc12aug-512x512.py']
dataset_type = 'ImageLabelFolderDataset'
data_root = 'data/coco2014_wsss'
crop_size = 512  # as seenet_r50-d16_1xb16-5e_voc12aug-512x512.py
model = dict(num_classes=80)
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadMaskIfExists'),  # masks for the seed metric only
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='train.json',
                 data_prefix=dict(_delete_=True, img_path='images')))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='val.json',
                 data_prefix=dict(_delete_=True, img_path='images',
                                  seg_map_path='masks'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
# IRN: 5 epochs of batch 16 with the last incomplete batch dropped,
# 82,081 // 16 = 5130 iterations each; poly decay to 0 over all of them
iters_per_epoch = 5130
max_iters = 5 * iters_per_epoch
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=iters_per_epoch)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=0),  # erase from the start
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=iters_per_epoch),
]
