"""PASCAL VOC with image-level labels (read from Annotations/*.xml).

The labels of an image are the VOC classes named by the ``<object>`` entries
of its XML, never taken from the segmentation masks. A label file (JSON
``{name: [class names or ids 1..20]}``) can replace the XML files.
"""
from __future__ import annotations

import json
import os.path as osp
from typing import Dict, List, Optional
from xml.etree import ElementTree as ET

from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

from ..metainfo import VOC_CLASSES, class_id


def read_voc_xml_labels(path: str, use_difficult: bool = True) -> List[int]:
    """Sorted unique VOC ids (1..20) named by the objects of a VOC XML."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f'{path}: not a valid XML file ({err})') from err
    ids = set()
    for obj in root.iter('object'):
        difficult = obj.findtext('difficult', '0').strip() == '1'
        if difficult and not use_difficult:
            continue
        name = (obj.findtext('name') or '').strip()
        try:
            ids.add(class_id(name))
        except KeyError as err:
            raise KeyError(f'{path}: {err.args[0]}') from None
    return sorted(ids)


@DATASETS.register_module()
class VOCImageLabelDataset(BaseDataset):
    """VOC 2012 images with multi-label image-level annotations.

    Args:
        ann_file: split list (one image name per line), relative to
            ``data_root``, e.g. ``ImageSets/Segmentation/trainaug.txt``.
        data_prefix: ``img_path`` (JPEGImages) and ``xml_path`` (Annotations);
            with ``seg_map_path`` (SegmentationClass) each data info also
            carries the ground-truth mask path, for evaluating attention
            maps (``LoadAnnotations`` + ``AttentionSeedMetric``); the labels
            still come from the XML files.
        label_file: optional JSON mapping image name -> class names or ids;
            used instead of the XML files when given.
        use_difficult: count objects marked difficult (default True).
        img_suffix: image file suffix.

    Each data info has ``img_path``, ``img_id``, ``gt_class_ids`` (VOC ids
    1..20) and ``num_classes`` (20). An image without any label is an error naming its file.
    """

    METAINFO = dict(classes=VOC_CLASSES[1:])

    def __init__(self, ann_file: str = '',
                 data_prefix: Optional[dict] = None,
                 label_file: Optional[str] = None,
                 use_difficult: bool = True,
                 img_suffix: str = '.jpg', **kwargs) -> None:
        self.label_file = label_file
        self.use_difficult = use_difficult
        self.img_suffix = img_suffix
        data_prefix = data_prefix or dict(img_path='JPEGImages',
                                          xml_path='Annotations')
        super().__init__(ann_file=ann_file, data_prefix=data_prefix,
                         **kwargs)

    def _read_label_file(self) -> Dict[str, List[int]]:
        path = self.label_file
        if self.data_root and not osp.isabs(path):
            path = osp.join(self.data_root, path)
        if not osp.isfile(path):
            raise FileNotFoundError(f'label file not found: {path}')
        with open(path) as f:
            raw = json.load(f)
        table = {}
        for name, labels in raw.items():
            ids = set()
            for lab in labels:
                if isinstance(lab, int) and 1 <= lab <= 20:
                    ids.add(lab)
                else:
                    try:
                        ids.add(class_id(str(lab)))
                    except KeyError as err:
                        raise KeyError(f'{path}: image {name}: '
                                       f'{err.args[0]}') from None
            table[name] = sorted(ids)
        return table

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'split file not found: {self.ann_file} '
                                    '(how to make it: '
                                    'docs/reproduce_voc.md#data)')
        with open(self.ann_file) as f:
            names = [line.strip().split()[0] for line in f if line.strip()]
        table = self._read_label_file() if self.label_file else None
        img_dir = self.data_prefix.get('img_path', '')
        xml_dir = self.data_prefix.get('xml_path', '')
        seg_dir = self.data_prefix.get('seg_map_path')
        data_list = []
        for name in names:
            if table is not None:
                if name not in table:
                    raise KeyError(f'{self.label_file}: no labels for image '
                                   f'{name} of {self.ann_file}')
                ids, source = table[name], self.label_file
            else:
                source = osp.join(xml_dir, name + '.xml')
                ids = read_voc_xml_labels(source, self.use_difficult)
            if not ids:
                raise ValueError(f'{source}: image {name} has no class label '
                                 '(image-level training needs at least one)')
            info = dict(img_path=osp.join(img_dir, name + self.img_suffix),
                        img_id=name, gt_class_ids=ids,
                        num_classes=len(self.metainfo['classes']))
            if seg_dir:
                info.update(seg_map_path=osp.join(seg_dir, name + '.png'),
                            reduce_zero_label=False, seg_fields=[])
            data_list.append(info)
        return data_list
