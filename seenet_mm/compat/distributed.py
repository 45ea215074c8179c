"""Distributed training and inference on CPU (torchrun + gloo).

============================  =================================================
problem upstream              answer here
============================  =================================================
mmengine calls                  :func:`init_distributed` creates the process
``torch.cuda.set_device``       group itself (gloo on CPU, nccl on CUDA)
DDP refuses ``device_ids``      :func:`init_distributed` swaps in
for CPU modules                 :class:`CPUCompatibleDistributedDataParallel`
                                (CPU machines only, unless the config chose
                                its own ``model_wrapper_cfg``)
torchrun on CPU aborts at exit  :func:`finish_distributed` leaves with
(~1 in 7 runs)                  ``os._exit`` after destroying the group
torchrun starts workers in      :func:`die_with_launcher` makes a worker die
their own sessions: a killed    with its torchrun (Linux parent-death signal)
launcher leaves them training
============================  =================================================
"""
from __future__ import annotations

import os
import sys
from typing import Any, Dict

import torch
from mmengine.model import MMDistributedDataParallel

#: the registered name of :class:`CPUCompatibleDistributedDataParallel`
CPU_DDP_WRAPPER = 'CPUCompatibleDistributedDataParallel'
#: its former name, kept registered because users' configs name it
LEGACY_DDP_WRAPPER = 'SeeNetDistributedDataParallel'


def default_dist_backend() -> str:
    """``nccl`` when CUDA is usable, else ``gloo``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


class CPUCompatibleDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also wraps CPU models.

    Upstream: the runner builds its DDP wrapper with
    ``device_ids=[LOCAL_RANK]``, which DDP refuses for a model on the CPU.
    This wrapper drops ``device_ids`` (and ``output_device``) when the
    wrapped module has no CUDA parameter and is ``MMDistributedDataParallel``
    otherwise. Registered in mmengine's ``MODEL_WRAPPERS`` as
    ``CPUCompatibleDistributedDataParallel`` and, for users' configs, as
    ``SeeNetDistributedDataParallel``.
    """

    def __init__(self, module: torch.nn.Module, **kwargs: Any) -> None:
        on_cuda = any(p.is_cuda for p in module.parameters())
        if not on_cuda:
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        super().__init__(module=module, **kwargs)


#: the former class name (the same class)
SeeNetDistributedDataParallel = CPUCompatibleDistributedDataParallel


def register_ddp_wrapper() -> type:
    """Register the wrapper in mmengine's ``MODEL_WRAPPERS`` under its name
    and its legacy alias (idempotent); returns the class."""
    from mmengine.registry import MODEL_WRAPPERS
    for name in (CPU_DDP_WRAPPER, LEGACY_DDP_WRAPPER):
        if MODEL_WRAPPERS.module_dict.get(name) is None:
            MODEL_WRAPPERS.register_module(
                name=name, module=CPUCompatibleDistributedDataParallel)
    return CPUCompatibleDistributedDataParallel


def cpu_model_wrapper_cfg(cfg: Any) -> Dict[str, Any]:
    """The ``model_wrapper_cfg`` used for CPU models: the arguments that
    mmengine's runner gives its default wrapper (``broadcast_buffers=False``,
    the config's ``find_unused_parameters``), with our wrapper type."""
    find_unused = cfg.get('find_unused_parameters', False) \
        if cfg is not None else False
    return dict(type=CPU_DDP_WRAPPER, broadcast_buffers=False,
                find_unused_parameters=find_unused)


def init_distributed(launcher: str, cfg: Any = None) -> None:
    """Create the process group before mmengine's runner does.

    Upstream: mmengine's ``init_dist('pytorch')`` calls
    ``torch.cuda.set_device``, which raises on CPU torch
    (``module 'torch._C' has no attribute '_cuda_setDevice'``), and the
    shipped configs ask for ``nccl``. On CUDA machines this only fills in
    the backend and leaves the rest to mmengine.

    Without CUDA it also sets ``cfg.model_wrapper_cfg`` to
    :class:`CPUCompatibleDistributedDataParallel` when the config chose no
    wrapper of its own (a config's own choice is kept).

    Args:
        launcher: ``none``, ``pytorch``, ``slurm`` or ``mpi``.
        cfg: the config; its ``env_cfg.dist_cfg.backend`` is set to the
            backend that this machine supports when it names an unusable one.
    """
    if launcher == 'none':
        return
    backend = default_dist_backend()
    if cfg is not None:
        env_cfg = cfg.setdefault('env_cfg', {})
        dist_cfg = env_cfg.setdefault('dist_cfg', {})
        if dist_cfg.get('backend') in (None, 'nccl') or backend == 'gloo':
            dist_cfg['backend'] = backend
        if backend == 'gloo' and cfg.get('model_wrapper_cfg', None) is None:
            cfg.model_wrapper_cfg = cpu_model_wrapper_cfg(cfg)
    if launcher == 'pytorch':
        die_with_launcher()
    if backend == 'nccl' or launcher != 'pytorch':
        return
    import torch.distributed as dist
    if dist.is_initialized():
        return
    dist.init_process_group(
        backend='gloo',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']))


def die_with_launcher() -> bool:
    """Make this torchrun worker receive SIGKILL when its launcher dies.

    Upstream: torch's elastic agent starts each worker with
    ``start_new_session=True``. When the launcher is killed hard (SIGKILL,
    OOM killer, a closed terminal), the workers are orphaned and go on
    training and writing checkpoints into the work dir, where they race a
    resumed run. Linux only (``prctl(PR_SET_PDEATHSIG)``); a no-op
    elsewhere and outside torchrun.

    Returns:
        bool: True if the parent-death signal was set.
    """
    if not sys.platform.startswith('linux') or \
            'TORCHELASTIC_RUN_ID' not in os.environ:
        return False
    import ctypes
    import signal
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() == 1:  # the launcher died before prctl took effect
        os._exit(1)
    return True


def finish_distributed() -> None:
    """Tear down the process group and leave at once.

    Upstream: about 1 in 7 finished 2-process CPU (gloo) runs aborted at
    interpreter exit with ``terminate called without an active exception``
    after all work was saved. Leaving with ``os._exit(0)`` right after
    ``destroy_process_group`` avoids the abort. No-op without a group.
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()):
        return
    dist.barrier()
    dist.destroy_process_group()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
