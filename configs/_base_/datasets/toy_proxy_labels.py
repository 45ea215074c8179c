# The synthetic toy set's proxy labels (tools/make_proxy_labels.py) in VOC
# 2012's layout, for the toy segmentation networks: voc_proxy_labels.py at
# toy sizes, random 96x96 crops and mirroring, multi-scale test at toy
# scales.
_base_ = ['./voc_proxy_labels.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
# proxy labels of tools/make_proxy_labels.py (absolute, or relative to
# data_root); tools/pipeline.py passes its own folder
proxy_label_dir = 'SegmentationClassProxy'
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
img_ratios = [0.75, 1.0, 1.25]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='TestTimeAug',
         transforms=[
             [dict(type='Resize', scale_factor=r, keep_ratio=True)
              for r in img_ratios],
             [dict(type='RandomFlip', prob=0., direction='horizontal'),
              dict(type='RandomFlip', prob=1., direction='horizontal')],
             [dict(type='LoadAnnotations')],
             [dict(type='PackSegInputs')]
         ])
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(data_root=data_root,
                 data_prefix=dict(seg_map_path=proxy_label_dir),
                 pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
