"""Which images a tool works on: a split of the attention config's dataset
(a VOC split list, or an own-folder ``train.json`` / ``val.json``)."""
from __future__ import annotations

import copy
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from mmengine.config import Config


def read_names(path: str) -> List[str]:
    """The image names of a split list: the first word of each line."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split list not found: {path}')
    with open(path) as f:
        return [line.split()[0] for line in f if line.strip()]


# one image in TUNE_SHARE of those scored tunes the seed threshold
TUNE_SHARE = 5


def tune_names(names: Sequence[str]) -> List[str]:
    """The tuning split of ``names``: a fixed share chosen by a hash of
    each name, so that a run, a resumed run and another machine choose the
    same images whatever their order."""
    import hashlib
    return [n for n in names if int(hashlib.sha1(
        n.encode('utf-8')).hexdigest()[:8], 16) % TUNE_SHARE == 0]


def voc_root_of(cfg: Config, data_root: Optional[str] = None) -> str:
    """``data_root`` if given, else the config's train dataset root."""
    return data_root or cfg.train_dataloader.dataset.data_root


def image_split(cfg: Config, split: Optional[str] = None,
                data_root: Optional[str] = None
                ) -> Tuple[List[str], List[dict]]:
    """The class names and the data infos (``img_path``, ``img_id``,
    ``gt_class_ids``) of a split of the config's train dataset type.

    Args:
        cfg: an attention config (its train dataset gives type, root and
            prefixes).
        split: the split's annotation file, relative paths taken from the
            data root: a VOC split list (default: the train dataset's
            ``ann_file``, e.g. trainaug.txt) or an own-folder JSON
            (``val.json``).
        data_root: the dataset root (default: the config's).
    """
    from mmseg.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    ds_cfg.update(data_root=voc_root_of(cfg, data_root), pipeline=[],
                  serialize_data=False, lazy_init=False)
    if split:
        ds_cfg['ann_file'] = osp.abspath(split) if osp.isfile(split) \
            else split
    dataset = DATASETS.build(ds_cfg)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    return list(dataset.metainfo['classes']), infos


def list_images(cfg: Config, split: Optional[str] = None,
                data_root: Optional[str] = None) -> List[dict]:
    """The data infos of :func:`image_split`."""
    return image_split(cfg, split, data_root)[1]
