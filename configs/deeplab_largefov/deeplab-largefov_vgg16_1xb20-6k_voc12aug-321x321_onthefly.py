# As deeplab-largefov_vgg16_..., but the proxy labels are built while
# loading (Algorithm 1 from attention maps + saliency maps), no label folder.
_base_ = ['./deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py']
data_root = 'data/VOCdevkit/VOC2012'
# the maps of docs/reproduce_voc.md's tools/infer_attention.py command; other
# maps: --cfg-options train_dataloader.dataset.pipeline.2.attention_dir=DIR
# (an override of attention_dir itself is refused: it is already used below)
attention_dir = 'work_dirs/seenet_vgg16_1xb16-25k_voc12aug-224x224/maps'
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
