"""Fake modules shared by :mod:`.mmcv_ops` and :mod:`.fake_torchvision`.

A fake module is a module put into ``sys.modules`` when the real one cannot
be imported; its missing names are placeholders that raise a clear
``ImportError`` when they are used.
"""
from __future__ import annotations

import sys
import types
from typing import Any, Dict, Optional


def drop_modules(prefix: str) -> None:
    """Remove ``prefix`` and its submodules from ``sys.modules``."""
    for name in [m for m in sys.modules
                 if m == prefix or m.startswith(prefix + '.')]:
        del sys.modules[name]


def placeholder(qualname: str, hint: str) -> type:
    """A class that raises ``ImportError`` with ``hint`` when called.

    Being a class, it also works in ``isinstance``/``issubclass`` checks and
    as a base class, so that modules which only *name* it at import time
    still import.
    """

    def _raise(cls, *args: Any, **kwargs: Any) -> Any:
        raise ImportError(f'{qualname}: {hint}')

    name = qualname.rsplit('.', 1)[-1]
    return type(name, (), {'__new__': _raise,
                           '__module__': 'seenet_mm.compat'})


class FakeModule(types.ModuleType):
    """Module whose missing attributes are placeholders raising ``hint``."""

    def __init__(self, name: str, hint: str,
                 attrs: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(name)
        self.__dict__['_hint'] = hint
        self.__dict__['__seenet_fake_module__'] = True
        self.__dict__.update(attrs or {})

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith('__'):
            raise AttributeError(attr)
        value = placeholder(f'{self.__name__}.{attr}', self._hint)
        setattr(self, attr, value)
        return value


def is_fake_module(module_name: str) -> bool:
    """Whether ``module_name`` in ``sys.modules`` is one of our fakes."""
    module = sys.modules.get(module_name)
    return bool(getattr(module, '__seenet_fake_module__', False))
