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

from ..layers import (NORMS, background_mask, c_relu, check_saliency_loss,
                      fuse_attention, low_saliency_cells, quantile_low,
                      saliency_background_loss, ternary_mask)

MODES = ('cam', 'acol', 'seenet-noflip', 'seenet')
LOSS_NORMS = ('mean', 'batch')
# Sec. 3.4: 224 x 224, plus the flipped view, M_A and M_B normalised to
# [0, 1] per class and fused by max
DEFAULT_TEST_CFG = dict(sizes=(224, ), flip=True, scale_fuse='max',
                        norm='minmax')


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
            (δh + δl) / 2 (with ``low_quantile``: of each image's δl).
        low_quantile: None (the paper): δl is fixed. A value q in [0, 1]
            makes δl relative to each image's own distribution (an option
            beyond the paper): ``δl_n = max(δl, q-quantile of
            the image's normalised A)``, at most δh
            (:func:`seenet_mm.models.layers.quantile_low`), so the
            background zone holds about q of the map even where the maps
            stay warm over the whole image.
        mask_norm: how each class map of S_A is normalised before the
            masks are thresholded: ``max`` (clip at 0, divide by the max;
            the paper's T_A, docs/paper_notes.md) or ``minmax`` (ACoL's
            erasing: its ``acol`` configs use ``minmax`` with δh = 0.6).
        loss_weights: weights of L_SA, L_SB, L_SC.
        saliency_loss: None (the paper; default) or a dict turning on the
            saliency background loss, an option beyond the paper
            (:mod:`seenet_mm.models.layers.saliency_loss`): at feature
            cells whose saliency is below ``low`` (default 0.2), the
            image's classes' scores in the ``branches`` (default ``('a',)``,
            S_A; ``'b'`` adds S_B) go towards probability 0, by ``kind``
            ``bce`` (default) or ``mse``, times ``weight`` (default 1).
            It never teaches high saliency as foreground. The samples need
            ``gt_saliency`` (``LoadSaliencyMap`` and ``CarrySaliency`` in
            the train pipeline). T_A is still made from S_A's maps.
        loss_norm: how each branch's multi-label BCE is averaged: ``mean``
            over the N x M terms (PyTorch's default, and what the same
            group's later code does: OAA's Caffe prototxt with
            ``normalize: true``, OAA-PyTorch's
            ``multilabel_soft_margin_loss``) or ``batch``: summed over the
            classes, averaged over the N images (Caffe's
            ``SigmoidCrossEntropyLoss`` default normalisation, M times
            larger steps at the same lr).
        test_labels: classes that define T_A at test time: ``gt`` (the
            image's labels, as for attention maps of training images; falls
            back to ``pred`` without labels) or ``pred`` (sigmoid > 0.5, else
            the top class).
        test_cfg: how attention maps are made at test time (Sec. 3.4):
            ``sizes`` (square test sizes, paper: 224; several are fused by
            ``scale_fuse``, ``max`` or ``mean``), ``flip`` (add the flipped
            view), ``norm`` (per-class normalisation, ``minmax`` as in the
            paper or ``max``). ``predict`` uses ``norm`` on the pipeline's
            single view; the attention inferencer uses all of them.
        data_preprocessor: e.g. ``dict(type='ImgDataPreprocessor', ...)``.

    The loss dict also carries the fractions of T_A's zones of the batch
    (``zone_erased``, ``zone_potential``, ``zone_background``) and the share
    of S_A's maps of the images' classes with no cell <= 0
    (``maps_all_positive``): values mmengine logs but does not add to the
    loss.
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
                 low_quantile: Optional[float] = None,
                 mask_norm: str = 'max',
                 loss_weights: Sequence[float] = (1.0, 1.0, 1.0),
                 loss_norm: str = 'mean',
                 saliency_loss: Optional[dict] = None,
                 test_labels: str = 'gt',
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if mode not in MODES:
            raise ValueError(f'SeeNet: mode must be one of {MODES}, got '
                             f'{mode!r}')
        if mask_norm not in NORMS:
            raise ValueError(f'SeeNet: mask_norm must be one of {NORMS}, '
                             f'got {mask_norm!r}')
        if loss_norm not in LOSS_NORMS:
            raise ValueError(f'SeeNet: loss_norm must be one of '
                             f'{LOSS_NORMS}, got {loss_norm!r}')
        if test_labels not in ('gt', 'pred'):
            raise ValueError("SeeNet: test_labels must be 'gt' or 'pred'")
        self.mode = mode
        self.num_classes = num_classes
        self.high, self.low = high, low
        self._bg_thr = bg_thr
        if low_quantile is not None and not 0 <= low_quantile <= 1:
            raise ValueError(f'SeeNet: low_quantile must be None or in '
                             f'[0, 1], got {low_quantile}')
        self.low_quantile = low_quantile
        self.mask_norm = mask_norm
        self.loss_norm = loss_norm
        self.loss_weights = tuple(float(w) for w in loss_weights)
        self.saliency_loss = check_saliency_loss(saliency_loss)
        if self.saliency_loss and mode == 'cam' and \
                'b' in self.saliency_loss['branches']:
            raise ValueError("SeeNet: saliency_loss.branches has 'b', but "
                             "mode 'cam' has no S_B")
        self.test_labels = test_labels
        self.test_cfg = dict(DEFAULT_TEST_CFG, **(test_cfg or {}))
        unknown = set(self.test_cfg) - set(DEFAULT_TEST_CFG)
        if unknown:
            raise ValueError(f'SeeNet: unknown test_cfg keys {sorted(unknown)}'
                             f' (known: {sorted(DEFAULT_TEST_CFG)})')
        if self.test_cfg['norm'] not in NORMS:
            raise ValueError(f'SeeNet: test_cfg.norm must be one of {NORMS}, '
                             f"got {self.test_cfg['norm']!r}")
        if self.test_cfg['scale_fuse'] not in ('max', 'mean'):
            raise ValueError("SeeNet: test_cfg.scale_fuse must be 'max' or "
                             f"'mean', got {self.test_cfg['scale_fuse']!r}")
        self.test_cfg['sizes'] = tuple(int(v) for v in self.test_cfg['sizes'])
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
        low = self.low
        if self.low_quantile is not None:
            low = quantile_low(maps_a, labels, self.low, self.low_quantile,
                               self.mask_norm, high=self.high)
        tern = ternary_mask(maps_a, labels, self.high, low, self.mask_norm)
        masks = {'ternary': tern}
        if self.mode == 'acol':
            masks['b'] = (tern != 0).to(tern.dtype)  # zero the high zone only
        elif self.mode == 'seenet-noflip':
            masks['b'] = tern.clamp(min=0)  # background zone -> 0, not -1
        elif self.mode == 'seenet':
            masks['b'] = tern
        if 'branch_c' in self.branch_names:
            thr = self.bg_thr if self._bg_thr is not None or \
                self.low_quantile is None else (self.high + low) / 2
            masks['c'] = background_mask(maps_a, labels, thr,
                                         self.mask_norm)
        return masks

    def forward_branches(self, inputs: torch.Tensor,
                         labels: Optional[torch.Tensor],
                         with_c: bool = True) -> Dict[str, torch.Tensor]:
        """Run the backbone and the branches.

        The backbone runs once.

        Args:
            inputs: ``[N, 3, H, W]``.
            labels: multi-hot ``[N, M]`` defining T_A; None takes the
                classes S_A predicts (sigmoid > 0.5, else the top class)
                from the same pass.
            with_c: also run S_C (not needed for attention maps).

        Returns:
            dict with ``logits_a``/``maps_a`` (and ``_b``, ``_c``), the
            ``ternary`` mask, the feature map ``feat`` and the ``labels``
            that defined T_A (not for ``cam``).
        """
        feat = self.backbone(inputs)[-1]
        out = {'feat': feat}
        out['logits_a'], out['maps_a'] = self.branch_a(feat)
        if self.mode == 'cam':
            return out
        if labels is None:
            labels = self._pred_labels(out['logits_a'].detach())
        out['labels'] = labels
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
            return self.forward_branches(inputs, self._labels(
                data_samples, inputs.shape[0], inputs.device))
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
        losses = {'loss_sa': w_a * self.bce(out['logits_a'], labels)}
        if 'logits_b' in out:
            losses['loss_sb'] = self.erasing_weight * w_b * \
                self.bce(out['logits_b'], labels)
        if 'logits_c' in out:
            losses['loss_sc'] = self.erasing_weight * w_c * \
                self.bce(out['logits_c'], torch.zeros_like(labels))
        if self.saliency_loss is not None:
            losses.update(self._saliency_losses(out, labels, data_samples))
        if 'ternary' in out:
            losses.update(self.zone_fractions(out['ternary']))
        losses['maps_all_positive'] = self.all_positive_share(
            out['maps_a'], labels)
        return losses

    @staticmethod
    def all_positive_share(maps: torch.Tensor, labels: torch.Tensor
                           ) -> torch.Tensor:
        """The share of the ground-truth classes' score maps ``[N, M, h, w]``
        with no cell <= 0 (logged, never added to the loss). Only such maps
        tell the authors' released normalisation (clip at 0, then min-max)
        from ``max`` (clip at 0, divide by the max)."""
        present = labels > 0
        if not present.any():
            return maps.new_zeros(())
        mins = maps.detach().float().amin(dim=(2, 3))
        return (mins[present] > 0).float().mean()

    def _saliency_losses(self, out: Dict[str, torch.Tensor],
                         labels: torch.Tensor, data_samples: list
                         ) -> Dict[str, torch.Tensor]:
        """``loss_sal_a`` (and ``loss_sal_b``): the saliency background
        loss of each chosen branch."""
        if any('gt_saliency' not in ds for ds in data_samples):
            raise KeyError('SeeNet.loss: saliency_loss is set, but the data '
                           "samples carry no 'gt_saliency' (put "
                           'LoadSaliencyMap and CarrySaliency in the train '
                           'pipeline)')
        cfg = self.saliency_loss
        sal = torch.stack([ds.gt_saliency.data for ds in data_samples]).to(
            out['maps_a'].device)
        low = low_saliency_cells(sal, out['maps_a'].shape[-2:], cfg['low'])
        losses = {}
        for branch in cfg['branches']:
            loss = saliency_background_loss(out[f'maps_{branch}'], labels,
                                            low, cfg['kind'])
            # S_B's share waits for the erasing warm-up, as L_SB does
            scale = self.erasing_weight if branch == 'b' else 1.0
            losses[f'loss_sal_{branch}'] = scale * cfg['weight'] * loss
        return losses

    def bce(self, logits: torch.Tensor, targets: torch.Tensor
            ) -> torch.Tensor:
        """Multi-label BCE of ``[N, M]`` logits, averaged as ``loss_norm``
        says."""
        if self.loss_norm == 'mean':
            return F.binary_cross_entropy_with_logits(logits, targets)
        return F.binary_cross_entropy_with_logits(
            logits, targets, reduction='sum') / logits.shape[0]

    @staticmethod
    def zone_fractions(ternary: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Shares of T_A's erased (0), potential (1) and background (-1)
        zones in ``[N, 1, h, w]``; logged, never added to the loss (their
        names hold no ``loss``)."""
        return {f'zone_{name}': (ternary == value).float().mean()
                for name, value in (('erased', 0), ('potential', 1),
                                    ('background', -1))}

    def _pred_labels(self, logits: torch.Tensor) -> torch.Tensor:
        pred = (logits.sigmoid() > 0.5).float()
        top = F.one_hot(logits.argmax(1), logits.shape[1]).float()
        empty = pred.sum(1, keepdim=True) == 0
        return torch.where(empty, top, pred)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[list] = None) -> list:
        """Class scores (sigmoid of S_A's logits), S_A/S_B score maps and
        their fusion (Sec. 3.4, one view).

        Each returned data sample gets ``pred_class_logits`` ``[M]``,
        ``pred_class_scores`` ``[M]``, ``score_map_a`` ``[M, h, w]``,
        unless mode is ``cam`` ``score_map_b`` ``[M, h, w]``,
        ``pred_attention`` ``[M, h, w]``: :func:`fuse_attention` of the
        maps over the image's classes (``gt_class_labels``; without them
        the predicted classes), 0 elsewhere, and ``pred_ternary``
        ``[1, h, w]``: T_A of those classes (0 erased, 1 potential, -1
        background; for ``cam`` the zones S_A's maps would give), for the
        zone diagnostics (``ZoneMetric``).
        """
        labels = None
        if self.test_labels == 'gt':
            labels = self._labels(data_samples, inputs.shape[0],
                                  inputs.device)
        out = self.forward_branches(inputs, labels, with_c=False)
        # the maps kept: the image's classes when known, else those that
        # defined T_A (predicted by S_A)
        labels = self._labels(data_samples, inputs.shape[0], inputs.device)
        if labels is None:
            labels = out.get('labels')
        if labels is None:  # cam without labels
            labels = self._pred_labels(out['logits_a'].detach())
        fused = fuse_attention([out['maps_a'], out.get('maps_b')], labels,
                               self.test_cfg['norm'])
        # T_A of the kept classes (those that defined it for the branches
        # may be the predicted ones)
        # predictions in float32 whatever the autocast dtype (--amp):
        # metrics and files read them with numpy, which has no bfloat16
        out = {k: v.detach().float() if k in ('logits_a', 'maps_a', 'maps_b')
               else v for k, v in out.items()}
        ternary = self.erase_masks(out['maps_a'], labels)['ternary']
        if data_samples is None:
            data_samples = [BaseDataElement() for _ in range(len(inputs))]
        for i, ds in enumerate(data_samples):
            ds.pred_class_logits = out['logits_a'][i]
            ds.pred_class_scores = out['logits_a'][i].sigmoid()
            ds.score_map_a = out['maps_a'][i]
            if 'maps_b' in out:
                ds.score_map_b = out['maps_b'][i]
            ds.pred_attention = fused[i]
            ds.pred_ternary = ternary[i]
        return data_samples
