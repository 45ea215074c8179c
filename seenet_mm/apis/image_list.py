"""Which images a tool works on: a VOC split with image-level labels."""
from __future__ import annotations

import os.path as osp
from typing import List, Optional

from mmengine.config import Config


def voc_root_of(cfg: Config, data_root: Optional[str] = None) -> str:
    """``data_root`` if given, else the config's train dataset root."""
    return data_root or cfg.train_dataloader.dataset.data_root


def list_images(cfg: Config, split: Optional[str] = None,
                data_root: Optional[str] = None) -> List[dict]:
    """Data infos (``img_path``, ``img_id``, ``gt_class_ids``) of a split.

    Args:
        cfg: a SeeNet config (its train dataset gives root and prefixes).
        split: split list file; relative paths are taken from the VOC root
            (default: the train dataset's ``ann_file``, e.g. trainaug.txt).
        data_root: the ``VOCdevkit/VOC2012`` folder (default: the config's).
    """
    from seenet_mm.datasets import VOCImageLabelDataset
    ds_cfg = cfg.train_dataloader.dataset
    root = voc_root_of(cfg, data_root)
    ann = split or ds_cfg.ann_file
    if osp.isfile(ann):
        ann = osp.abspath(ann)
    dataset = VOCImageLabelDataset(
        data_root=root, ann_file=ann,
        data_prefix=dict(ds_cfg.get('data_prefix', {})),
        label_file=ds_cfg.get('label_file', None), pipeline=[],
        serialize_data=False)
    return [dataset.get_data_info(i) for i in range(len(dataset))]
