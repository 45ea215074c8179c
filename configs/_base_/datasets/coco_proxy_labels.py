# MS COCO 2014 for segmentation: train2014 images with *proxy labels*
# (tools/make_proxy_labels.py into DIR/proxy_labels) for training, val2014
# with the masks tools/convert_coco.py drew (0 background, i + 1 = class i,
# 255 crowd regions) for evaluation. Classes: ('background', 80 COCO
# classes of train.json): model.decode_head.num_classes must be 81.
_base_ = ['./folder_proxy_labels.py']
data_root = 'data/coco2014_wsss'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
