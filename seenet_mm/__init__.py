"""seenet-mm: SeeNet (Self-Erasing Network, NeurIPS 2018) for OpenMMLab.

Importing the package checks the OpenMMLab stack, applies the compatibility
layer (:mod:`seenet_mm.compat`) and registers every module into mmseg's
registries (scope ``mmseg``).
"""
from .utils.version_check import check_stack

STACK_VERSIONS = check_stack()

from . import compat  # noqa: E402

COMPAT_APPLIED = compat.apply()

from .standin import register_standin_scheme  # noqa: E402

register_standin_scheme()

from . import (datasets, engine, evaluation, models,  # noqa: E402,F401
               visualization)
from .utils import register_all_modules  # noqa: E402
from .version import __version__  # noqa: E402

__all__ = ['__version__', 'register_all_modules', 'compat', 'models',
           'datasets', 'engine', 'evaluation', 'visualization']
