# MS COCO 2014 with image-level labels, for the attention network: train2014
# (train.json) for training, val2014 (val.json, masks drawn from the
# instance annotations) for validation. tools/convert_coco.py writes this
# folder (docs/data.md): images linked, the 80 classes in COCO's
# category-id order in metainfo.classes (the dataset takes them from
# train.json, so none are listed here), labels from every instance (crowd
# ones included), images without annotations left out (82,081 train and
# 40,137 val images remain). model.num_classes must be 80.
_base_ = ['./folder_image_labels.py']
data_root = 'data/coco2014_wsss'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
