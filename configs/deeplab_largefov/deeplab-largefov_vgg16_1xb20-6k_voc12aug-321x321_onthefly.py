# As deeplab-largefov_vgg16_..., but the proxy labels are built while
# loading (Algorithm 1 from attention maps + saliency maps), no label folder.
_base_ = ['./deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py']
data_root = 'data/VOCdevkit/VOC2012'
attention_dir = 'work_dirs/seenet_vgg16_voc/maps'  # tools/infer_attention.py
saliency_dir = data_root + '/saliency'
crop_size = (321, 321)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap', saliency_dir=saliency_dir),
    dict(type='LoadAttentionMaps', attention_dir=attention_dir),
    dict(type='GenerateProxyLabel', w=1.0),  # -> gt_seg_map
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
