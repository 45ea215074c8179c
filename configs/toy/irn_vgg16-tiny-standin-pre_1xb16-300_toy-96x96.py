# IRN's affinity network on the toy set: the boundary head learns from the
# confident seeds (tools/make_proxy_labels.py --method threshold --crf;
# tools/pipeline.py passes its own folder) on the frozen backbone of the
# toy stand-in for ImageNet weights (`standin://vgg16-tiny`), as IRN's head
# learns on a frozen ImageNet backbone. The backbone is the toy attention
# configs' VGG16 x0.25 (output stride 8), tapped after each of its 5
# stages. IRN: crop 512, batch 32, 3 epochs, lr 0.1, poly; here 96x96 crops
# of the toy images, batch 16, 300 iterations (12 epochs of the 400 train
# images), lr 0.1, poly, and links of radius 5 (IRN: 10). Everything else
# as configs/irn/irn_vgg16_1xb32-3e_voc12aug-512x512.py.
_base_ = ['../irn/irn_vgg16_1xb32-3e_voc12aug-512x512.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
# confident seeds (absolute, or relative to data_root)
proxy_label_dir = 'SegmentationClassSeeds'
crop_size = (96, 96)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        arch='seenet-os8',
        widen_factor=0.25,
        norm_cfg=dict(type='BN'),
        out_indices=(0, 1, 2, 3, 4),  # strides 2, 4, 8, 8, 8
        init_cfg=dict(checkpoint='standin://vgg16-tiny')),
    head=dict(in_channels=(16, 32, 64, 128, 128)),
    # IRN: links of the loss within 10 cells at stride 4, on 128 x 128-cell
    # crops; the toy crops have 24 x 24 cells, where radius 5 (the walk's)
    # trained 3x faster (150 -> 34 links per cell) and refined no worse
    # (docs/results_toy.md)
    radius=5,
    # the walk of tools/refine_labels.py: IRN's radius 5 and beta 10; its
    # 256 steps reach about a third of a VOC image's 125 x 94 cells, and a
    # walk's reach grows with the root of its steps, so on the toy images'
    # ~40 x 35 cells the same reach takes 256 * (40 / 125)^2 ~ 32 steps
    test_cfg=dict(flip=True, radius=5, beta=10, steps=32))
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
    dataset=dict(data_root=data_root,
                 data_prefix=dict(seg_map_path=proxy_label_dir),
                 pipeline=train_pipeline))
max_iters = 300
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=max_iters))
randomness = dict(seed=0)
# bfloat16 autocast where the CPU computes it natively (AVX512-BF16 or AMX),
# float32 elsewhere, as the toy LargeFOV
amp = 'auto'
