# IRN's affinity network (Ahn, Cho & Kwak, CVPR 2019; its recipe,
# github.com/jiwoon-ahn/irn, step/train_irn.py): the boundary branch on the
# frozen ImageNet ResNet-50. Taps: layer1..layer4 of mmpretrain's ResNet (IRN
# also taps the stem's 64 channels, which mmpretrain does not return). IRN's
# displacement branch (instance segmentation) is not part of this.
_base_ = ['./affinity_net.py']

model = dict(
    data_preprocessor=dict(size=(512, 512)),  # IRN's crops
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),  # strides 4, 8, 16, 16
        strides=(1, 2, 2, 1),  # IRN: strides (2, 2, 2, 1) counting conv1
        style='pytorch',
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone.')),
    head=dict(type='BoundaryHead', in_channels=(256, 512, 1024, 2048),
              channels=32),
    radius=10,
    stride=4,
    frozen=True,
    # IRN's walk: radius 5, beta 10, 256 steps (exp_times 8); the walk
    # starts from the attention above each image's confident-background
    # threshold and the background score is found per image (sources and
    # bg_score: docs/method.md, deviations)
    test_cfg=dict(flip=True, radius=5, beta=10, steps=256))
