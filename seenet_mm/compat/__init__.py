"""Compatibility layer between the OpenMMLab 1.x stack and current PyTorch.

The OpenMMLab 1.x packages (mmengine 0.10, mmcv 2.1, mmseg 1.2, mmpretrain 1.2)
are no longer maintained and break in several places on torch 2.13 and on
CPU-only machines. Every work-around of this project lives in this package,
one module per upstream cause, and each one is inert when the real thing
works:

=============================  ================================================
upstream cause                 module (its docstring has the details)
=============================  ================================================
mmcv-lite: no compiled ops     :mod:`.mmcv_ops`: a fake ``mmcv.ops``;
                               silences mmcv-lite's ``MultiScaleDeformable
                               Attention`` import warning
no torchvision for CPU torch   :mod:`.fake_torchvision`: a fake
                               ``torchvision`` for mmpretrain's imports
mmengine uses the deprecated   :mod:`.mmengine_pkg_resources`: silences
``pkg_resources``              setuptools' deprecation warning about it
torch>=2.6 ``weights_only``    :mod:`.checkpoints`: checkpoints load with
                               ``weights_only=True`` and are written in plain
                               types; full unpickling only for files listed
                               in ``SEENET_TRUSTED_CHECKPOINTS``
distributed on CPU (gloo)      :mod:`.distributed`: process group, a DDP
                               wrapper for CPU models, exit and orphan fixes
=============================  ================================================

Only those two warnings are filtered, by their exact start; every other
warning shows as before. :func:`apply` runs the import-time pieces;
``import seenet_mm`` calls it before anything imports ``mmseg.models``.
"""
from __future__ import annotations

from typing import Dict, List

from .checkpoints import (SAFE_GLOBALS, TRUST_ENV, UntrustedCheckpointError,
                          from_plain, is_trusted, is_url,
                          load_local_checkpoint, load_url_weights_only,
                          register_safe_checkpoint_loader, to_plain,
                          trust_checkpoint, trusted_checkpoints)
from .distributed import (CPU_DDP_WRAPPER, LEGACY_DDP_WRAPPER,
                          CPUCompatibleDistributedDataParallel,
                          SeeNetDistributedDataParallel, cpu_model_wrapper_cfg,
                          default_dist_backend, die_with_launcher,
                          finish_distributed, init_distributed,
                          register_ddp_wrapper)
from .fake_modules import is_fake_module
from .fake_torchvision import install_fake_torchvision
from .mmcv_ops import install_fake_mmcv_ops
from .mmengine_pkg_resources import silence_pkg_resources_warning


def apply() -> Dict[str, bool]:
    """Install every import-time piece; returns which ones were needed."""
    return {
        'pkg_resources_warning': silence_pkg_resources_warning(),
        'fake_mmcv_ops': install_fake_mmcv_ops(),
        'fake_torchvision': install_fake_torchvision(),
        'safe_checkpoint_loader': register_safe_checkpoint_loader(),
        'ddp_wrapper': bool(register_ddp_wrapper()),
    }


__all__: List[str] = [
    'apply', 'install_fake_mmcv_ops', 'install_fake_torchvision',
    'silence_pkg_resources_warning', 'is_fake_module',
    'register_safe_checkpoint_loader', 'load_local_checkpoint',
    'load_url_weights_only', 'is_url',
    'UntrustedCheckpointError', 'TRUST_ENV', 'SAFE_GLOBALS',
    'trust_checkpoint', 'trusted_checkpoints', 'is_trusted', 'to_plain',
    'from_plain', 'init_distributed', 'finish_distributed',
    'register_ddp_wrapper', 'die_with_launcher', 'default_dist_backend',
    'cpu_model_wrapper_cfg', 'CPUCompatibleDistributedDataParallel',
    'SeeNetDistributedDataParallel', 'CPU_DDP_WRAPPER', 'LEGACY_DDP_WRAPPER'
]
