# VOC 2012 train_aug with the confident seeds of the attention maps
# (tools/make_proxy_labels.py --method threshold --crf) in place of the
# proxy labels, for the affinity networks (IRN, PSA): training only, no val
# or test split. Each affinity config sets its own crops and batch.
_base_ = ['./voc_proxy_labels.py']

# confident seeds (absolute, or relative to data_root); tools/pipeline.py
# passes its own folder
proxy_label_dir = 'SegmentationClassSeeds'
train_dataloader = dict(
    dataset=dict(data_prefix=dict(seg_map_path=proxy_label_dir)))
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
