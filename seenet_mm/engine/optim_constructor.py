"""Caffe's per-layer learning rates and weight decay, as DeepLab and SeeNet's
authors train: ``blobs_lr: 1, 2`` / ``weight_decay: 1, 0`` (``lr_mult``,
``decay_mult``) for every layer, ``10, 20`` / ``1, 0`` for the layers trained
from scratch on top of ImageNet weights.

References: DeepLab-LargeFOV ``train.prototxt`` (every layer ``blobs_lr: 1,
2``, ``weight_decay: 1, 0``; fc8 ``blobs_lr: 10, 20``); DeepLab v2 ResNet-101
as ported by kazuto1011/deeplab-pytorch (classifier weights 10x, biases 20x
with weight decay 0, "cf lr_mult and decay_mult in train.prototxt"); the
Caffe prototxts of SeeNet's authors' group (PengtaoJiang/OAA:
``param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }``).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmseg.registry import (OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                            OPTIMIZERS)

_NORM_LAYERS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm,
                nn.modules.instancenorm._InstanceNorm)

# paramwise_cfg key -> default (the references' values, see module docstring)
_DEFAULTS = dict(new_modules=(), new_lr_mult=10.0, new_bias_lr_mult=20.0,
                 new_bias_decay_mult=0.0, bias_lr_mult=2.0,
                 bias_decay_mult=0.0)

# group name -> (lr multiplier key, weight decay multiplier key); None: 1
_GROUPS = (('weight', None, None),
           ('bias', 'bias_lr_mult', 'bias_decay_mult'),
           ('new_weight', 'new_lr_mult', None),
           ('new_bias', 'new_bias_lr_mult', 'new_bias_decay_mult'))


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class NewLayersLrConstructor(DefaultOptimWrapperConstructor):
    """Weights, biases, new layers' weights and new layers' biases, each with
    its lr and weight decay multiplier (one parameter group per distinct
    pair of multipliers).

    ``paramwise_cfg`` keys (defaults are the references' values):

    - ``new_modules``: module names of the layers trained from scratch,
      dotted for nested ones (``('branch_a', 'branch_b', 'branch_c')``,
      ``('decode_head.conv_seg', )``). Default ``()``.
    - ``new_lr_mult`` (10) / ``new_bias_lr_mult`` (20): lr of their weights
      and biases; their weights decay at the base rate.
    - ``new_bias_decay_mult`` (0): weight decay of their biases.
    - ``bias_lr_mult`` (2) / ``bias_decay_mult`` (0): lr and weight decay of
      every other bias (pre-trained layers).

    Everything else (weights outside the new layers) keeps the base lr and
    weight decay. Parameters of normalisation layers outside the new layers
    are weights here whatever their name (base lr and decay, as mmengine's
    ``bias_lr_mult`` leaves them): the references have no trainable norm
    layer (VGG16 has none, DeepLab v2 freezes ResNet's BN). Inside a new
    layer, any ``*.bias`` is a new bias. Parameters with
    ``requires_grad=False`` are left out. ``bias_lr_mult=1,
    bias_decay_mult=1, new_bias_decay_mult=1`` is this constructor's former
    behaviour (only new layers' lr multiplied).
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        if hasattr(model, 'module'):
            model = model.module
        cfg = dict(self.paramwise_cfg or {})
        unknown = sorted(set(cfg) - set(_DEFAULTS))
        if unknown:
            raise KeyError(f'NewLayersLrConstructor: unknown paramwise_cfg '
                           f'keys {unknown}')
        cfg = {**_DEFAULTS, **cfg}
        new_modules: Sequence[str] = tuple(cfg['new_modules'])
        sorted_params, found = self.split_params(model, new_modules)
        if new_modules and not found:
            raise KeyError(f'NewLayersLrConstructor: none of new_modules '
                           f'{list(new_modules)} is a module of the model')
        # groups with the same multipliers are one group, parameters in the
        # model's order: the former behaviour gives the former groups (and
        # optimizer checkpoints that resume)
        mults = {name: (float(cfg[lr_key]) if lr_key else 1.0,
                        float(cfg[decay_key]) if decay_key else 1.0)
                 for name, lr_key, decay_key in _GROUPS}
        merged: Dict[Tuple[float, float], List[nn.Parameter]] = {
            mults[name]: [] for name, _, _ in _GROUPS}
        for param, name in sorted_params:
            merged[mults[name]].append(param)
        base_lr = self.optimizer_cfg['lr']
        base_wd: Optional[float] = self.optimizer_cfg.get('weight_decay')
        params = []
        for (lr_mult, decay_mult), group_params in merged.items():
            if not group_params:
                continue
            group = dict(params=group_params, lr=base_lr * lr_mult)
            if base_wd is not None:
                group['weight_decay'] = base_wd * decay_mult
            params.append(group)
        optimizer_cfg = dict(self.optimizer_cfg, params=params)
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        return OPTIM_WRAPPERS.build(wrapper_cfg,
                                    default_args=dict(optimizer=optimizer))

    @staticmethod
    def split_params(model: nn.Module, new_modules: Sequence[str]
                     ) -> Tuple[List[Tuple[nn.Parameter, str]], set]:
        """Sort the trainable parameters of ``model`` into the groups
        ``weight``, ``bias``, ``new_weight``, ``new_bias``.

        Returns:
            tuple: ``[(parameter, group)]`` in the model's order, and the set
            of ``new_modules`` that own at least one parameter.
        """
        out: List[Tuple[nn.Parameter, str]] = []
        found, seen = set(), set()
        for mod_name, module in model.named_modules():
            is_norm = isinstance(module, _NORM_LAYERS)
            for p_name, param in module.named_parameters(recurse=False):
                if not param.requires_grad or id(param) in seen:
                    continue  # frozen, or shared and already sorted
                seen.add(id(param))
                name = f'{mod_name}.{p_name}' if mod_name else p_name
                owner = next((m for m in new_modules
                              if name.startswith(m + '.')), None)
                is_bias = p_name == 'bias'
                if owner is not None:
                    found.add(owner)
                    group = 'new_bias' if is_bias else 'new_weight'
                else:
                    group = 'bias' if is_bias and not is_norm else 'weight'
                out.append((param, group))
        return out, found
