# AffinityNet (seenet_mm/models/segmentors/affinity_net.py), the network of
# both affinity-network algorithms: IRN's boundary branch (irn_r50.py) and
# PSA's feature affinity (psa_vgg16.py), which set the backbone, the head,
# the links, the walk and the crop size. Inputs normalised with the ImageNet
# statistics (RGB), labels padded with 255.
model = dict(
    type='AffinityNet',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255))
