# Mixing: mmseg's own DeepLabV3+ (ResNet-50) trained on SeeNet's proxy
# labels. Only the training labels change: mmseg's VOC-aug training set
# (SegmentationClass + SegmentationClassAug) is replaced by train_aug with
# the proxy-label folder.
_base_ = ['mmseg::deeplabv3plus/'
          'deeplabv3plus_r50-d8_4xb4-20k_voc12aug-512x512.py']
# relative to data_root, or absolute; other labels: --cfg-options
# train_dataloader.dataset.data_prefix.seg_map_path=DIR (an override of
# proxy_label_dir itself is refused: it is already used below)
proxy_label_dir = 'SegmentationClassProxy'
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='PascalVOCDataset',
        data_root={{_base_.data_root}},
        data_prefix=dict(img_path='JPEGImages',
                         seg_map_path=proxy_label_dir),
        ann_file='ImageSets/Segmentation/trainaug.txt',
        pipeline={{_base_.train_pipeline}}))
