# PSA's affinity network (Ahn & Kwak, "Learning Pixel-level Semantic
# Affinity with Image-level Supervision", CVPR 2018; github.com/jiwoon-ahn/
# psa, network/vgg16_aff.py, train_aff.py, infer_aff.py) as AffinityNet with
# affinity='feature': an embedding of VGG16's taps whose L1 distances give
# the affinities, the backbone fine-tuned, trained on the confident seeds of
# VOC 2012 train_aug (tools/make_proxy_labels.py --method threshold --crf),
# crops of 448, batch 8, 8 epochs, lr 0.1 poly (new layers 10x), weight
# decay 5e-4; links of radius 5 at stride 8; the walk: radius 5, beta 8,
# 256 steps (logt 8). PSA taps conv4, conv5 and fc6 (512, 512, 1024
# channels); this VGG16 backbone ends at conv5, so the taps are conv3,
# conv4 and conv5 (256, 512, 512), each reduced to PSA's 64, 128 and 256.
# tools/refine_labels.py walks from the cold attention and scores the
# background per image, as with IRN (PSA: (1 - max CAM)^alpha, alpha 4-24).
_base_ = ['../_base_/models/psa_vgg16.py',
          '../_base_/datasets/voc_seeds.py',
          '../_base_/schedules/psa_8e.py',
          '../_base_/default_runtime.py']

crop_size = (448, 448)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # PSA: the long side resized at random to 448-768
    dict(type='RandomResize', scale=(608, 608),
         ratio_range=(448 / 608, 768 / 608), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),  # PSA: colour jitter
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
