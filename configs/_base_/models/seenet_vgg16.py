# SeeNet on VGG16 (paper Sec. 3.3): conv1_1..conv5_3, output stride 16 as in
# the authors' deploy net (arch='seenet-os8' for stride 8), three branches
# of 3 x (3x3 conv 512, ReLU) -> 1x1 score conv -> GAP.
data_preprocessor = dict(
    type='ImgDataPreprocessor',  # mmengine's: normalise + stack, no padding
    mean=[123.675, 116.28, 103.53],  # torchvision ImageNet statistics (RGB)
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True)
model = dict(
    type='SeeNet',
    data_preprocessor=data_preprocessor,
    mode='seenet',  # cam | acol | seenet-noflip | seenet
    backbone=dict(type='VGG16', arch='seenet-os16', out_indices=(4, )),
    in_channels=512,
    branch=dict(type='AttentionBranch', channels=512, num_convs=3),
    num_classes=20,
    high=0.7,  # δh: A >= 0.7 of the class max is erased
    low=0.05,  # δl: A < 0.05 is the background zone (sign flipped)
    bg_thr=None,  # strategy II's background mask: (δh + δl) / 2
    mask_norm='max',  # clip at 0, divide by the max (docs/paper_notes.md)
    # BCE averaged over the N x M terms, as the authors' group's later code
    # (OAA); 'batch': Caffe's SigmoidCrossEntropyLoss default (sum over M)
    loss_norm='mean',
    loss_weights=(1.0, 1.0, 1.0),  # L_SA, L_SB, L_SC
    test_labels='gt',  # T_A at test time from the image's labels
    # attention maps at test time (Sec. 3.4): 224 x 224 plus the flipped
    # view, M_A and M_B min-max normalised per class and fused by max;
    # tools/infer_attention.py --sizes/--no-flip/--scale-fuse/--norm
    # override these
    test_cfg=dict(sizes=(224, ), flip=True, scale_fuse='max', norm='minmax'))
