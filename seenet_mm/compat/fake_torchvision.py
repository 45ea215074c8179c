"""No torchvision build for the CPU torch: a fake torchvision for mmpretrain.

============================  =================================================
problem upstream              answer here
============================  =================================================
no torchvision for CPU torch    :func:`install_fake_torchvision` lets
(mmpretrain imports it)         ``mmpretrain.models`` import; its torchvision
                                transforms raise a clear error when used
============================  =================================================
"""
from __future__ import annotations

import enum
import importlib
import sys

from .fake_modules import FakeModule, drop_modules

TORCHVISION_HINT = (
    'torchvision is not installed (there is no torchvision build for this '
    'torch); install a torchvision matching your torch to use it.')


class _InterpolationMode(enum.Enum):
    """Mirror of ``torchvision.transforms.InterpolationMode``."""

    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


def install_fake_torchvision() -> bool:
    """Let mmpretrain import when torchvision cannot be imported.

    Upstream: ``mmpretrain.models``, ``mmpretrain.datasets`` and
    ``mmpretrain.evaluation`` import torchvision at import time, so no
    ``mmpretrain.X`` type (e.g. ``mmpretrain.ResNet``) can be built without
    it, and no torchvision build runs with the CPU torch here. The fake
    module provides the names mmpretrain touches at import time; anything
    actually *used* from it raises an ImportError that says torchvision is
    missing.

    Returns:
        bool: True if installed, False if the real torchvision imports.
    """
    current = sys.modules.get('torchvision')
    if current is not None:
        return bool(getattr(current, '__seenet_fake_module__', False))
    try:
        importlib.import_module('torchvision')
        return False
    except (ImportError, RuntimeError):
        # ImportError: not installed; RuntimeError: a build for another
        # torch (e.g. "operator torchvision::nms does not exist").
        pass
    drop_modules('torchvision')
    hint = TORCHVISION_HINT
    root = FakeModule('torchvision', hint, {'__version__': '0.0.0'})
    root.__path__ = []
    tf_tf = FakeModule('torchvision.transforms.transforms', hint,
                       {'InterpolationMode': _InterpolationMode})
    tf_fn = FakeModule('torchvision.transforms.functional', hint,
                       {'InterpolationMode': _InterpolationMode})
    transforms = FakeModule(
        'torchvision.transforms', hint, {
            'InterpolationMode': _InterpolationMode,
            'transforms': tf_tf,
            'functional': tf_fn,
        })
    transforms.__path__ = []
    ops = FakeModule('torchvision.ops', hint)
    ops.__path__ = []
    boxes = FakeModule('torchvision.ops.boxes', hint)
    ops.boxes = boxes
    # timm's layers name torchvision.ops.misc.FrozenBatchNorm2d at import
    misc = FakeModule('torchvision.ops.misc', hint)
    ops.misc = misc
    # ... and timm.data names torchvision.datasets' classes at import
    datasets = FakeModule('torchvision.datasets', hint)
    root.datasets = datasets
    root.transforms = transforms
    root.ops = ops
    for mod in (root, transforms, tf_tf, tf_fn, ops, boxes, misc,
                datasets):
        sys.modules[mod.__name__] = mod
    return True
