"""Cross-entropy with class weights that respects the ignore index.

mmseg's ``CrossEntropyLoss`` indexes its ``class_weight`` with the label
map to compute the average factor, so a label of 255 (ignore) raises an
``IndexError`` as soon as ``class_weight`` is set. Here the weighted mean
is torch's own: ``sum_i w[y_i] l_i / sum_i w[y_i]`` over the pixels that
are not ignored.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS


@MODELS.register_module()
class WeightedCrossEntropyLoss(nn.Module):
    """Softmax cross-entropy over classes with per-class weights.

    Args:
        class_weight: one weight per class, or None (every class 1). A
            :class:`~seenet_mm.engine.hooks.ClassWeightHook` may set it from
            the training labels before training.
        loss_weight: the factor of the loss.
        loss_name: the key of the loss in the log (mmseg's convention).
        avg_non_ignore: kept for mmseg's config keys; the mean is always
            over the pixels that are not ignored.
    """

    def __init__(self, class_weight: Optional[Sequence[float]] = None,
                 loss_weight: float = 1.0, loss_name: str = 'loss_ce',
                 avg_non_ignore: bool = True) -> None:
        super().__init__()
        self.class_weight = None if class_weight is None else \
            [float(v) for v in class_weight]
        self.loss_weight = float(loss_weight)
        self._loss_name = loss_name

    def forward(self, cls_score: torch.Tensor, label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                ignore_index: int = 255, **kwargs) -> torch.Tensor:
        if weight is not None:
            raise ValueError('WeightedCrossEntropyLoss: per-pixel weights '
                             '(a pixel sampler) are not supported')
        cw = None
        if self.class_weight is not None:
            if len(self.class_weight) != cls_score.shape[1]:
                raise ValueError(
                    f'WeightedCrossEntropyLoss: {len(self.class_weight)} '
                    f'class weights for {cls_score.shape[1]} classes')
            cw = cls_score.new_tensor(self.class_weight, dtype=torch.float32)
        valid = label != ignore_index
        if not bool(valid.any()):
            return cls_score.sum() * 0.0
        loss = F.cross_entropy(cls_score.float(), label, weight=cw,
                               ignore_index=ignore_index, reduction='mean')
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        return self._loss_name
