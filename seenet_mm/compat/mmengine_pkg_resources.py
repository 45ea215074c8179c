"""mmengine looks installed packages up with setuptools' ``pkg_resources``.

============================  =================================================
problem upstream              answer here
============================  =================================================
mmengine 0.10 imports           :func:`silence_pkg_resources_warning` filters
``pkg_resources`` (e.g. for     exactly setuptools' "pkg_resources is
``mmseg::`` config bases);      deprecated as an API" warning: it is about
setuptools >= 81 warns on       mmengine's code, and a user can do nothing
every such import               about it (setuptools < 82 is still required
                                for ``pkg_resources`` to exist at all)
============================  =================================================
"""
from __future__ import annotations

import re
import warnings

# the start of the UserWarning of setuptools/pkg_resources/__init__.py (81)
PKG_RESOURCES_WARNING = 'pkg_resources is deprecated as an API'


def silence_pkg_resources_warning() -> bool:
    """Ignore setuptools' ``pkg_resources`` deprecation warning, and
    nothing else; must run before mmengine first imports
    ``pkg_resources`` (``import seenet_mm`` does it first thing)."""
    # a UserWarning since setuptools 81, a DeprecationWarning before
    warnings.filterwarnings('ignore',
                            message=re.escape(PKG_RESOURCES_WARNING))
    return True
