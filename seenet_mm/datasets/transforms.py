"""Packing of image-level labels for SeeNet's data samples."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample


@TRANSFORMS.register_module()
class PackImageLabelInputs(BaseTransform):
    """Pack an image and its multi-hot image-level labels.

    Produces ``inputs`` (uint8 ``[3, H, W]``) and a ``SegDataSample`` whose
    ``gt_class_labels`` is a float multi-hot ``[M]`` (index ``id - 1`` for
    class id ``id``), plus the meta keys; a loaded ``gt_seg_map`` (for
    evaluation only) becomes ``gt_sem_seg``, and a loaded ``saliency``
    (``LoadSaliencyMap``, moved with the image by ``CarrySaliency``) becomes
    ``gt_saliency``, float ``[1, H, W]`` in [0, 1], for the saliency
    background loss (``SeeNet(saliency_loss=...)``).

    Args:
        num_classes: M. Default None: the data info's ``num_classes``,
            which the datasets of this package set from their class list
            (VOC: 20); a value given here must agree with it.
        meta_keys: data info keys copied into the sample's metainfo.
    """

    def __init__(self, num_classes: Optional[int] = None,
                 meta_keys: Sequence[str] = (
                     'img_path', 'img_id', 'seg_map_path', 'ori_shape',
                     'img_shape', 'scale_factor', 'flip',
                     'flip_direction')) -> None:
        self.num_classes = num_classes
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        img = results['img']
        if img.ndim == 2:
            img = img[..., None]
        inputs = torch.from_numpy(
            np.ascontiguousarray(img.transpose(2, 0, 1)))
        num_classes = self.num_classes
        given = results.get('num_classes')
        if num_classes is None:
            num_classes = 20 if given is None else int(given)
        elif given is not None and int(given) != num_classes:
            raise ValueError(
                f'PackImageLabelInputs(num_classes={num_classes}) disagrees '
                f'with the dataset\'s {given} classes '
                f'({results.get("img_path")})')
        labels = torch.zeros(num_classes)
        for cid in results.get('gt_class_ids', []):
            if not 1 <= cid <= num_classes:
                raise ValueError(f'{results.get("img_path")}: class id {cid} '
                                 f'outside 1..{num_classes}')
            labels[cid - 1] = 1
        sample = SegDataSample()
        sample.gt_class_labels = labels
        if 'gt_seg_map' in results:
            sample.gt_sem_seg = PixelData(data=torch.from_numpy(
                results['gt_seg_map'][None].astype(np.int64)))
        if 'saliency' in results:
            sal = np.asarray(results['saliency'], np.float32)
            if sal.shape != img.shape[:2]:
                raise ValueError(f'{results.get("img_path")}: saliency '
                                 f'{sal.shape} differs from the image '
                                 f'{img.shape[:2]} (move it with the image: '
                                 'CarrySaliency)')
            sample.gt_saliency = PixelData(data=torch.from_numpy(
                np.ascontiguousarray(sal))[None])
        sample.set_metainfo({k: results[k] for k in self.meta_keys
                             if k in results})
        return dict(inputs=inputs, data_samples=sample)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_classes={self.num_classes})'
