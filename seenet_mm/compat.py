"""Compatibility layer between the OpenMMLab 1.x stack and current PyTorch.

The OpenMMLab 1.x packages (mmengine 0.10, mmcv 2.1, mmseg 1.2, mmpretrain 1.2)
are no longer maintained and break in several places on torch 2.13 and on
CPU-only machines. Every work-around of this project lives in this module, and
each one is inert when the real thing works:

============================  =================================================
problem upstream              answer here
============================  =================================================
mmcv-lite has no ``mmcv._ext``  :func:`install_mmcv_ops_standin` gives mmseg a
(``import mmseg.models`` dies)  pure-Python ``mmcv.ops`` (real ``point_sample``;
                                placeholders that raise on use for the rest)
no torchvision for CPU torch    :func:`install_torchvision_standin` lets
(mmpretrain imports it)         ``mmpretrain.models`` import; its torchvision
                                transforms raise a clear error when used
torch>=2.6 ``weights_only``     :func:`register_full_checkpoint_loader` loads
(mmengine checkpoints fail)     local checkpoints with ``weights_only=False``
mmengine calls                  :func:`init_distributed` creates the process
``torch.cuda.set_device``       group itself (gloo on CPU, nccl on CUDA)
DDP refuses ``device_ids``      :class:`SeeNetDistributedDataParallel` drops
for CPU modules                 them when the model is on the CPU
torchrun on CPU aborts at exit  :func:`finish_distributed` leaves with
(~1 in 7 runs)                  ``os._exit`` after destroying the group
torchrun starts workers in      :func:`die_with_launcher` makes a worker die
their own sessions: a killed    with its torchrun (Linux parent-death signal)
launcher leaves them training
============================  =================================================

:func:`apply` runs the import-time pieces; ``import seenet_mm`` calls it
before anything imports ``mmseg.models``.
"""
from __future__ import annotations

import enum
import importlib
import os
import os.path as osp
import sys
import types
from typing import Any, Dict, List, Optional

import torch

_MMCV_INSTALL_HINT = (
    'it needs the compiled ops of the full mmcv package; this environment has '
    'mmcv-lite. Install full mmcv (see the README, "GPU users") to use it.')
_TORCHVISION_HINT = (
    'torchvision is not installed (there is no torchvision build for this '
    'torch); install a torchvision matching your torch to use it.')


def _drop_modules(prefix: str) -> None:
    """Remove ``prefix`` and its submodules from ``sys.modules``."""
    for name in [m for m in sys.modules
                 if m == prefix or m.startswith(prefix + '.')]:
        del sys.modules[name]


def _placeholder(qualname: str, hint: str) -> type:
    """A class that raises ``ImportError`` with ``hint`` when called.

    Being a class, it also works in ``isinstance``/``issubclass`` checks and
    as a base class, so that modules which only *name* it at import time
    still import.
    """

    def _raise(cls, *args: Any, **kwargs: Any) -> Any:
        raise ImportError(f'{qualname}: {hint}')

    name = qualname.rsplit('.', 1)[-1]
    return type(name, (), {'__new__': _raise, '__module__': 'seenet_mm.compat'})


class _StandinModule(types.ModuleType):
    """Module whose missing attributes are placeholders raising ``hint``."""

    def __init__(self, name: str, hint: str,
                 attrs: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(name)
        self.__dict__['_hint'] = hint
        self.__dict__['__seenet_standin__'] = True
        self.__dict__.update(attrs or {})

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith('__'):
            raise AttributeError(attr)
        value = _placeholder(f'{self.__name__}.{attr}', self._hint)
        setattr(self, attr, value)
        return value


# --------------------------------------------------------------------------
# mmcv-lite: mmcv.ops
# --------------------------------------------------------------------------
def install_mmcv_ops_standin() -> bool:
    """Give mmseg an ``mmcv.ops`` when mmcv's compiled extension is missing.

    Upstream: mmseg 1.2.2 imports ``mmcv.ops`` without a guard in
    ``models/losses/focal_loss.py``, ``models/utils/point_sample.py``,
    ``utils/mask_classification.py`` and ``decode_heads/san_head.py``;
    with mmcv-lite that raises ``No module named 'mmcv._ext'`` and no
    ``mmseg.models`` import works. The stand-in keeps mmcv's real
    ``mmcv/ops`` folder as its package path (so pure-Python files such as
    ``mmcv.ops.point_sample`` import as they are) and answers every other
    name with a placeholder that raises a clear error when used.

    Returns:
        bool: True if the stand-in was installed, False if the real
        ``mmcv.ops`` imports (then nothing is changed).
    """
    current = sys.modules.get('mmcv.ops')
    if current is not None:
        return bool(getattr(current, '__seenet_standin__', False))
    try:
        importlib.import_module('mmcv.ops')
        return False
    except ModuleNotFoundError as err:
        if 'mmcv._ext' not in str(err):
            raise
    _drop_modules('mmcv.ops')
    import mmcv
    ops_dir = osp.join(osp.dirname(mmcv.__file__), 'ops')
    module = _StandinModule('mmcv.ops', _MMCV_INSTALL_HINT)
    module.__path__ = [ops_dir]  # submodules load from the real folder
    module.__file__ = osp.join(ops_dir, '__init__.py')
    sys.modules['mmcv.ops'] = module
    mmcv.ops = module
    point_sample = importlib.import_module('mmcv.ops.point_sample')
    module.point_sample = point_sample.point_sample
    module.bilinear_grid_sample = point_sample.bilinear_grid_sample
    return True


# --------------------------------------------------------------------------
# torchvision
# --------------------------------------------------------------------------
class _InterpolationMode(enum.Enum):
    """Mirror of ``torchvision.transforms.InterpolationMode``."""

    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


def install_torchvision_standin() -> bool:
    """Let mmpretrain import when torchvision cannot be imported.

    Upstream: ``mmpretrain.models``, ``mmpretrain.datasets`` and
    ``mmpretrain.evaluation`` import torchvision at import time, so no
    ``mmpretrain.X`` type (e.g. ``mmpretrain.ResNet``) can be built without
    it, and no torchvision build runs with the CPU torch here. The stand-in
    provides the names mmpretrain touches at import time; anything actually
    *used* from it raises an ImportError that says torchvision is missing.

    Returns:
        bool: True if installed, False if the real torchvision imports.
    """
    current = sys.modules.get('torchvision')
    if current is not None:
        return bool(getattr(current, '__seenet_standin__', False))
    try:
        importlib.import_module('torchvision')
        return False
    except (ImportError, RuntimeError):
        # ImportError: not installed; RuntimeError: a build for another
        # torch (e.g. "operator torchvision::nms does not exist").
        pass
    _drop_modules('torchvision')
    hint = _TORCHVISION_HINT
    root = _StandinModule('torchvision', hint, {'__version__': '0.0.0'})
    root.__path__ = []
    tf_tf = _StandinModule('torchvision.transforms.transforms', hint,
                           {'InterpolationMode': _InterpolationMode})
    tf_fn = _StandinModule('torchvision.transforms.functional', hint,
                           {'InterpolationMode': _InterpolationMode})
    transforms = _StandinModule(
        'torchvision.transforms', hint, {
            'InterpolationMode': _InterpolationMode,
            'transforms': tf_tf,
            'functional': tf_fn,
        })
    transforms.__path__ = []
    ops = _StandinModule('torchvision.ops', hint)
    ops.__path__ = []
    boxes = _StandinModule('torchvision.ops.boxes', hint)
    ops.boxes = boxes
    root.transforms = transforms
    root.ops = ops
    for mod in (root, transforms, tf_tf, tf_fn, ops, boxes):
        sys.modules[mod.__name__] = mod
    return True


def is_standin(module_name: str) -> bool:
    """Whether ``module_name`` in ``sys.modules`` is one of our stand-ins."""
    module = sys.modules.get(module_name)
    return bool(getattr(module, '__seenet_standin__', False))


# --------------------------------------------------------------------------
# checkpoints on torch >= 2.6
# --------------------------------------------------------------------------
def _torch_loads_weights_only_by_default() -> bool:
    from mmengine.utils import digit_version
    return digit_version(torch.__version__) >= digit_version('2.6.0')


def load_local_checkpoint(filename: str,
                          map_location: Optional[Any] = None) -> Any:
    """Load a local checkpoint written by mmengine (``weights_only=False``).

    mmengine's checkpoints hold a ``message_hub`` with
    ``HistoryBuffer`` objects and numpy values, which torch>=2.6 refuses to
    unpickle by default. Checkpoints are the user's own files, so the full
    unpickler is used, as mmengine did before torch changed its default.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def register_full_checkpoint_loader() -> bool:
    """Make mmengine load local checkpoints with ``weights_only=False``.

    Upstream: with torch>=2.6, ``--resume``, ``load_from``,
    ``tools/test.py`` and ``init_model`` fail with ``Weights only load
    failed ... Unsupported global: mmengine.logging.history_buffer.
    HistoryBuffer``. Inert on older torch.

    Returns:
        bool: True if the loader was registered.
    """
    if not _torch_loads_weights_only_by_default():
        return False
    from mmengine.runner import CheckpointLoader
    if CheckpointLoader._schemes.get('') is load_local_checkpoint:
        return True
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
    return True


# --------------------------------------------------------------------------
# distributed training on CPU
# --------------------------------------------------------------------------
def default_dist_backend() -> str:
    """``nccl`` when CUDA is usable, else ``gloo``."""
    return 'nccl' if torch.cuda.is_available() else 'gloo'


def init_distributed(launcher: str, cfg: Any = None) -> None:
    """Create the process group before mmengine's runner does.

    Upstream: mmengine's ``init_dist('pytorch')`` calls
    ``torch.cuda.set_device``, which raises on CPU torch
    (``module 'torch._C' has no attribute '_cuda_setDevice'``), and the
    shipped configs ask for ``nccl``. On CUDA machines this only fills in
    the backend and leaves the rest to mmengine.

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


_WRAPPER_REGISTERED: List[type] = []


def register_ddp_wrapper() -> type:
    """Register :class:`SeeNetDistributedDataParallel` in mmengine.

    Upstream: the runner builds DDP with ``device_ids=[LOCAL_RANK]``, which
    DDP refuses for a model on the CPU. The wrapper drops ``device_ids``
    (and ``output_device``) when the wrapped module has no CUDA
    parameters, and behaves exactly like ``MMDistributedDataParallel``
    otherwise. Configs select it with ``model_wrapper_cfg``.
    """
    if _WRAPPER_REGISTERED:
        return _WRAPPER_REGISTERED[0]
    from mmengine.model import MMDistributedDataParallel
    from mmengine.registry import MODEL_WRAPPERS

    @MODEL_WRAPPERS.register_module()
    class SeeNetDistributedDataParallel(MMDistributedDataParallel):
        """``MMDistributedDataParallel`` that also wraps CPU models."""

        def __init__(self, module: torch.nn.Module, **kwargs: Any) -> None:
            on_cuda = any(p.is_cuda for p in module.parameters())
            if not on_cuda:
                kwargs.pop('device_ids', None)
                kwargs.pop('output_device', None)
            super().__init__(module=module, **kwargs)

    _WRAPPER_REGISTERED.append(SeeNetDistributedDataParallel)
    return SeeNetDistributedDataParallel


def apply() -> Dict[str, bool]:
    """Install every import-time piece; returns which ones were needed."""
    return {
        'mmcv_ops_standin': install_mmcv_ops_standin(),
        'torchvision_standin': install_torchvision_standin(),
        'full_checkpoint_loader': register_full_checkpoint_loader(),
        'ddp_wrapper': bool(register_ddp_wrapper()),
    }


__all__: List[str] = [
    'apply', 'install_mmcv_ops_standin', 'install_torchvision_standin',
    'register_full_checkpoint_loader', 'load_local_checkpoint',
    'init_distributed', 'finish_distributed', 'register_ddp_wrapper',
    'die_with_launcher',
    'default_dist_backend', 'is_standin'
]
