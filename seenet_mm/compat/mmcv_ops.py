"""mmcv-lite: no compiled ``mmcv._ext``, hence no ``mmcv.ops``.

============================  =================================================
problem upstream              answer here
============================  =================================================
mmcv-lite has no ``mmcv._ext``  :func:`install_fake_mmcv_ops` gives mmseg a
(``import mmseg.models`` dies)  pure-Python ``mmcv.ops`` (the real
                                ``point_sample``; placeholders that raise on
                                use for the rest)
mmcv-lite warns on every        the same function filters exactly that
import of ``mmcv.cnn``: "Fail   warning (only when the fake module is in
to import ``MultiScale          use): nothing SeeNet or DeepLab needs uses
DeformableAttention``"          it, and a user can do nothing about it
============================  =================================================
"""
from __future__ import annotations

import importlib
import os.path as osp
import re
import sys
import warnings

from .fake_modules import FakeModule, drop_modules

MMCV_INSTALL_HINT = (
    'it needs the compiled ops of the full mmcv package; this environment has '
    'mmcv-lite. Install full mmcv (see docs/get_started.md) to use it.')

# the start of the warning of mmcv/cnn/bricks/transformer.py (mmcv 2.x)
MSDA_WARNING = ('Fail to import ``MultiScaleDeformableAttention`` from '
                '``mmcv.ops.multi_scale_deform_attn``')


def silence_msda_warning() -> None:
    """Ignore mmcv-lite's ``MultiScaleDeformableAttention`` UserWarning (and
    nothing else): it is emitted when ``mmcv.cnn`` is first imported, so
    this must run before ``mmseg.models`` is imported."""
    warnings.filterwarnings('ignore', message=re.escape(MSDA_WARNING),
                            category=UserWarning)


def install_fake_mmcv_ops() -> bool:
    """Give mmseg an ``mmcv.ops`` when mmcv's compiled extension is missing.

    Upstream: mmseg 1.2.2 imports ``mmcv.ops`` without a guard in
    ``models/losses/focal_loss.py``, ``models/utils/point_sample.py``,
    ``utils/mask_classification.py`` and ``decode_heads/san_head.py``;
    with mmcv-lite that raises ``No module named 'mmcv._ext'`` and no
    ``mmseg.models`` import works. The fake module keeps mmcv's real
    ``mmcv/ops`` folder as its package path (so pure-Python files such as
    ``mmcv.ops.point_sample`` import as they are) and answers every other
    name with a placeholder that raises a clear error when used. With the
    fake module, mmcv-lite's import-time warning about
    ``MultiScaleDeformableAttention`` is silenced.

    Returns:
        bool: True if the fake module is in use, False if the real
        ``mmcv.ops`` imports (then nothing is changed).
    """
    current = sys.modules.get('mmcv.ops')
    if current is not None:
        fake = bool(getattr(current, '__seenet_fake_module__', False))
        if fake:
            silence_msda_warning()
        return fake
    try:
        importlib.import_module('mmcv.ops')
        return False
    except ModuleNotFoundError as err:
        if 'mmcv._ext' not in str(err):
            raise
    silence_msda_warning()
    drop_modules('mmcv.ops')
    import mmcv
    ops_dir = osp.join(osp.dirname(mmcv.__file__), 'ops')
    module = FakeModule('mmcv.ops', MMCV_INSTALL_HINT)
    module.__path__ = [ops_dir]  # submodules load from the real folder
    module.__file__ = osp.join(ops_dir, '__init__.py')
    sys.modules['mmcv.ops'] = module
    mmcv.ops = module
    point_sample = importlib.import_module('mmcv.ops.point_sample')
    module.point_sample = point_sample.point_sample
    module.bilinear_grid_sample = point_sample.bilinear_grid_sample
    return True
