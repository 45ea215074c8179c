"""SeeNet: Self-Erasing Network for Integral Object Attention.

Hou, Jiang, Wei, Cheng. NeurIPS 2018. A shared backbone feeds three
attention branches (Sec. 3.3):

- S_A sees F; its score maps are the attention M_A.
- S_B sees C-ReLU(F; T_A) (self-erasing strategy I): the attended zone is
  erased, the background zone's sign flipped, the potential zone kept.
- S_C sees C-ReLU(F; B_bg) (strategy II): only the background zone, with
  all-zero targets, so that no class is found in the background.

Loss: multi-label BCE on each branch, L = L_SA + L_SB + L_SC.

Modes (paper Table 1): ``cam`` (S_A only), ``acol`` (S_B on F with the
high zone zeroed; no C-ReLU, no S_C), ``seenet-noflip`` (T = -1 -> 0),
``seenet`` (the paper).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS

from ..layers import background_mask, c_relu, ternary_mask

MODES = ('cam', 'acol', 'seenet-noflip', 'seenet')


@MODELS.register_module()
class SeeNet(BaseModel):
    """Args:
        backbone: any registered backbone returning a tuple of features; the
            last one is F (e.g. ``VGG16`` or ``mmpretrain.ResNet``).
        branch: config of an attention branch (``AttentionBranch``); built
            once per branch (S_A, S_B, S_C) with ``in_channels`` filled in.
        in_channels: channels of F.
        num_classes: M.
        mode: ``cam`` | ``acol`` | ``seenet-noflip`` | ``seenet``.
        high: δh of the ternary mask (fraction of the per-class max).
        low: δl.
        bg_thr: threshold of strategy II's background mask; None means
            (δh + δl) / 2.
        loss_weights: weights of L_SA, L_SB, L_SC.
        test_labels: classes that define T_A at test time: ``gt`` (the
            image's labels, as for attention maps of training images; falls
            back to ``pred`` without labels) or ``pred`` (sigmoid > 0.5, else
            the top class).
        data_preprocessor: e.g. ``dict(type='ImgDataPreprocessor', ...)``.
    """

    def __init__(self,
                 backbone: dict,
                 branch: dict,
                 in_channels: int,
                 num_classes: int = 20,
                 mode: str = 'seenet',
                 high: float = 0.7,
                 low: float = 0.05,
                 bg_thr: Optional[float] = None,
                 loss_weights: Sequence[float] = (1.0, 1.0, 1.0),
                 test_labels: str = 'gt',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if mode not in MODES:
            raise ValueError(f'SeeNet: mode must be one of {MODES}, got '
                             f'{mode!r}')
        if test_labels not in ('gt', 'pred'):
            raise ValueError("SeeNet: test_labels must be 'gt' or 'pred'")
        self.mode = mode
        self.num_classes = num_classes
        self.high, self.low = high, low
        self._bg_thr = bg_thr
        self.loss_weights = tuple(float(w) for w in loss_weights)
        self.test_labels = test_labels
        # set by the erasing-schedule hook; 0 keeps S_B/S_C losses off
        self.erasing_weight = 1.0
        self.backbone = MODELS.build(backbone)
        branch = dict(branch, in_channels=in_channels,
                      num_classes=num_classes)
        self.branch_a = MODELS.build(branch)
        if mode != 'cam':
            self.branch_b = MODELS.build(branch)
        if mode in ('seenet', 'seenet-noflip'):
            self.branch_c = MODELS.build(branch)
        self.last_zone_stats: Dict[str, float] = {}
        self.snapshot_next = False
        self.last_snapshot: Optional[Dict[str, torch.Tensor]] = None

    @property
    def bg_thr(self) -> float:
        return (self.high + self.low) / 2 if self._bg_thr is None \
            else self._bg_thr

    @property
    def branch_names(self) -> List[str]:
        return [n for n in ('branch_a', 'branch_b', 'branch_c')
                if hasattr(self, n)]

    # ------------------------------------------------------------------
    def _labels(self, data_samples: Optional[list], n: int,
                device: torch.device) -> Optional[torch.Tensor]:
        if not data_samples or 'gt_class_labels' not in data_samples[0]:
            return None
        return torch.stack([ds.gt_class_labels for ds in data_samples]).to(
            device=device, dtype=torch.float32)

    def erase_masks(self, maps_a: torch.Tensor, labels: torch.Tensor
                    ) -> Dict[str, torch.Tensor]:
        """Masks for S_B (``b``) and S_C (``c``) of the current mode."""
        tern = ternary_mask(maps_a, labels, self.high, self.low)
        masks = {'ternary': tern}
        if self.mode == 'acol':
            masks['b'] = (tern != 0).to(tern.dtype)  # zero the high zone only
        elif self.mode == 'seenet-noflip':
            masks['b'] = tern.clamp(min=0)  # background zone -> 0, not -1
        elif self.mode == 'seenet':
            masks['b'] = tern
        if 'branch_c' in self.branch_names:
            masks['c'] = background_mask(maps_a, labels, self.bg_thr)
        return masks

    def forward_branches(self, inputs: torch.Tensor,
                         labels: Optional[torch.Tensor],
                         with_c: bool = True) -> Dict[str, torch.Tensor]:
        """Run the backbone and the branches.

        Args:
            inputs: ``[N, 3, H, W]``.
            labels: multi-hot ``[N, M]`` defining T_A (required unless
                mode is ``cam``).
            with_c: also run S_C (not needed for attention maps).

        Returns:
            dict with ``logits_a``/``maps_a`` (and ``_b``, ``_c``), the
            ``ternary`` mask and the feature map ``feat``.
        """
        feat = self.backbone(inputs)[-1]
        out = {'feat': feat}
        out['logits_a'], out['maps_a'] = self.branch_a(feat)
        if self.mode == 'cam':
            return out
        if labels is None:
            raise ValueError('SeeNet: labels are needed to erase')
        masks = self.erase_masks(out['maps_a'], labels)
        out['ternary'] = masks['ternary']
        if self.mode == 'acol':
            feat_b = feat * masks['b']
        else:
            feat_b = c_relu(feat, masks['b'])
        out['logits_b'], out['maps_b'] = self.branch_b(feat_b)
        if with_c and 'c' in masks:
            out['logits_c'], out['maps_c'] = self.branch_c(
                c_relu(feat, masks['c']))
        return out

    # ------------------------------------------------------------------
    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            labels = self._labels(data_samples, inputs.shape[0],
                                  inputs.device)
            if labels is None and self.mode != 'cam':
                labels = self._pred_labels(self.branch_a(
                    self.backbone(inputs)[-1])[0])
            return self.forward_branches(inputs, labels)
        raise ValueError(f'SeeNet: unknown forward mode {mode!r}')

    def loss(self, inputs: torch.Tensor, data_samples: list
             ) -> Dict[str, torch.Tensor]:
        """Multi-label BCE per branch; S_C against all-zero targets."""
        labels = self._labels(data_samples, inputs.shape[0], inputs.device)
        if labels is None:
            raise KeyError('SeeNet.loss: data samples carry no '
                           "'gt_class_labels' (use PackImageLabelInputs)")
        out = self.forward_branches(inputs, labels)
        w_a, w_b, w_c = self.loss_weights
        losses = {'loss_sa': w_a * F.binary_cross_entropy_with_logits(
            out['logits_a'], labels)}
        if 'logits_b' in out:
            losses['loss_sb'] = self.erasing_weight * w_b * \
                F.binary_cross_entropy_with_logits(out['logits_b'], labels)
        if 'logits_c' in out:
            losses['loss_sc'] = self.erasing_weight * w_c * \
                F.binary_cross_entropy_with_logits(
                    out['logits_c'], torch.zeros_like(labels))
        if 'ternary' in out:
            tern = out['ternary']
            self.last_zone_stats = {
                'erased': float((tern == 0).float().mean()),
                'potential': float((tern == 1).float().mean()),
                'background': float((tern == -1).float().mean()),
            }
        if self.snapshot_next:
            self.last_snapshot = {
                k: v[0].detach().cpu() for k, v in out.items()
                if k in ('maps_a', 'maps_b', 'ternary')}
            self.last_snapshot['inputs'] = inputs[0].detach().cpu()
            self.last_snapshot['labels'] = labels[0].detach().cpu()
            self.snapshot_next = False
        return losses

    def _pred_labels(self, logits: torch.Tensor) -> torch.Tensor:
        pred = (logits.sigmoid() > 0.5).float()
        top = F.one_hot(logits.argmax(1), logits.shape[1]).float()
        empty = pred.sum(1, keepdim=True) == 0
        return torch.where(empty, top, pred)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[list] = None) -> list:
        """Class scores (sigmoid of S_A's logits) and S_A/S_B score maps.

        Each returned data sample gets ``pred_class_logits`` ``[M]``,
        ``pred_class_scores`` ``[M]``, ``score_map_a`` ``[M, h, w]`` and,
        unless mode is ``cam``, ``score_map_b`` ``[M, h, w]``.
        """
        labels = None
        if self.test_labels == 'gt':
            labels = self._labels(data_samples, inputs.shape[0],
                                  inputs.device)
        if labels is None and self.mode != 'cam':
            labels = self._pred_labels(
                self.branch_a(self.backbone(inputs)[-1])[0])
        out = self.forward_branches(inputs, labels, with_c=False)
        if data_samples is None:
            data_samples = [BaseDataElement() for _ in range(len(inputs))]
        for i, ds in enumerate(data_samples):
            ds.pred_class_logits = out['logits_a'][i].detach()
            ds.pred_class_scores = out['logits_a'][i].detach().sigmoid()
            ds.score_map_a = out['maps_a'][i].detach()
            if 'maps_b' in out:
                ds.score_map_b = out['maps_b'][i].detach()
        return data_samples
