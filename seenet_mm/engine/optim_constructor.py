"""New layers at 10x learning rate, their biases at 20x (DeepLab/Caffe
practice for layers trained from scratch on top of ImageNet weights)."""
from __future__ import annotations

from typing import Sequence

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmseg.registry import (OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS,
                            OPTIMIZERS)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class NewLayersLrConstructor(DefaultOptimWrapperConstructor):
    """``paramwise_cfg``: ``new_modules`` (module names of the new layers,
    dotted for nested ones, e.g. ``('branch_a', 'branch_b', 'branch_c')`` or
    ``('decode_head.conv_seg', )``),
    ``new_lr_mult`` (default 10) and ``new_bias_lr_mult`` (default 20).
    Everything else keeps the base learning rate and weight decay."""

    def __call__(self, model: nn.Module) -> OptimWrapper:
        if hasattr(model, 'module'):
            model = model.module
        cfg = dict(self.paramwise_cfg or {})
        new_modules: Sequence[str] = tuple(cfg.pop('new_modules', ()))
        lr_mult = float(cfg.pop('new_lr_mult', 10.0))
        bias_mult = float(cfg.pop('new_bias_lr_mult', 20.0))
        if cfg:
            raise KeyError(f'NewLayersLrConstructor: unknown paramwise_cfg '
                           f'keys {sorted(cfg)}')
        base_lr = self.optimizer_cfg['lr']
        groups = {'base': [], 'new_weight': [], 'new_bias': []}
        names = set()
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            owner = next((m for m in new_modules
                          if name.startswith(m + '.')), None)
            if owner is not None:
                names.add(owner)
                key = 'new_bias' if name.endswith('bias') else 'new_weight'
            else:
                key = 'base'
            groups[key].append(param)
        if new_modules and not names:
            raise KeyError(f'NewLayersLrConstructor: none of new_modules '
                           f'{list(new_modules)} is a module of the model')
        params = [dict(params=groups['base'])]
        if groups['new_weight']:
            params.append(dict(params=groups['new_weight'],
                               lr=base_lr * lr_mult))
        if groups['new_bias']:
            params.append(dict(params=groups['new_bias'],
                               lr=base_lr * bias_mult))
        optimizer_cfg = dict(self.optimizer_cfg, params=params)
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault('type', 'OptimWrapper')
        return OPTIM_WRAPPERS.build(wrapper_cfg,
                                    default_args=dict(optimizer=optimizer))
