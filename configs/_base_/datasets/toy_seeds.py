# The synthetic toy set's confident seeds (tools/make_proxy_labels.py
# --method threshold --crf; tools/pipeline.py passes its own folder) in VOC
# 2012's layout, for the toy affinity networks: voc_seeds.py at toy sizes,
# 96x96 crops of the toy images, batch 16.
_base_ = ['./voc_seeds.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
crop_size = (96, 96)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # toy images are 128-192 x 96-160
    dict(type='RandomResize', scale=(192, 160), ratio_range=(0.6, 1.2),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
