"""Set the segmentation loss's class weights from the training labels."""
from __future__ import annotations

import os.path as osp
from typing import Any, List, Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS

from ...datasets.class_weights import (class_pixel_counts,
                                       median_frequency_weights)
from .utils import unwrap_model


def _losses(model: Any) -> List[Any]:
    head = getattr(model, 'decode_head', None)
    if head is None:
        raise ValueError('ClassWeightHook: the model has no decode_head')
    losses = head.loss_decode
    return list(losses) if hasattr(losses, '__iter__') else [losses]


@HOOKS.register_module()
class ClassWeightHook(Hook):
    """Before training, compute median-frequency class weights
    (:func:`~seenet_mm.datasets.class_weights.median_frequency_weights`)
    from the label maps of the training dataset (its ``seg_map_path``
    files, proxy labels or true masks alike) and set them as the
    ``class_weight`` of the decode head's losses.

    The losses must handle the ignore index with weights
    (``WeightedCrossEntropyLoss``; mmseg's ``CrossEntropyLoss`` fails on
    label 255 once weighted). The weights are recomputed on resume (the
    same labels give the same weights) and logged.

    Args:
        max_weight: cap of the weights (None: no cap).
        ignore_index: the label that carries no class.
    """

    priority = 'NORMAL'

    def __init__(self, max_weight: Optional[float] = None,
                 ignore_index: int = 255) -> None:
        self.max_weight = max_weight
        self.ignore_index = ignore_index
        self.weights: Optional[List[float]] = None

    def before_train(self, runner) -> None:
        model = unwrap_model(runner)
        losses = _losses(model)
        for loss in losses:
            if type(loss).__name__ != 'WeightedCrossEntropyLoss':
                raise ValueError(
                    f'ClassWeightHook needs model.decode_head.loss_decode of '
                    f'type WeightedCrossEntropyLoss, got {type(loss).__name__}'
                    ' (mmseg\'s CrossEntropyLoss fails on ignored pixels '
                    'once it has class weights)')
        dataset = runner.train_dataloader.dataset
        num_classes = int(model.decode_head.num_classes)
        paths = [dataset.get_data_info(i)['seg_map_path']
                 for i in range(len(dataset))]
        pixels, image_pixels = class_pixel_counts(
            paths, num_classes, self.ignore_index)
        self.weights = median_frequency_weights(pixels, image_pixels,
                                                self.max_weight)
        for loss in losses:
            loss.class_weight = list(self.weights)
        folder = osp.dirname(paths[0]) if paths else ''
        print_log(f'class weights (median frequency, {len(paths)} label maps '
                  f'of {folder}): '
                  + ', '.join(f'{w:.3f}' for w in self.weights),
                  logger='current')
