"""The toy stand-in for ImageNet weights: where it lives and how configs
load it.

``tools/make_standin.py`` pretrains a VGG16-tiny on a broad synthetic
classification task (:func:`seenet_mm.apis.make_standin`) and
writes its backbone weights to one shared place, :func:`standin_path`:
``$SEENET_STANDIN_DIR``, else ``$XDG_CACHE_HOME/seenet_mm/standin``
(``~/.cache/...``). Every user of the toy configs finds it there without
pretraining again: the main job, ``tools/train.py configs/toy/...`` by hand,
``--compare`` and any work dir.

Configs name it ``init_cfg=dict(type='Pretrained',
checkpoint='standin://vgg16-tiny', prefix='backbone.')``; the
``standin://`` scheme of mmengine's checkpoint loader resolves it, by the
weights-only rule of :mod:`seenet_mm.compat.checkpoints`, and a missing
stand-in is one error naming the command that makes it.
"""
from __future__ import annotations

import os
import os.path as osp
from typing import Any, Optional

STANDIN_ENV = 'SEENET_STANDIN_DIR'
SCHEME = 'standin://'
DEFAULT_NAME = 'vgg16-tiny'
MAKE_COMMAND = 'python tools/make_standin.py'


def standin_dir() -> str:
    """The shared folder of the stand-ins."""
    if os.environ.get(STANDIN_ENV):
        return osp.abspath(osp.expanduser(os.environ[STANDIN_ENV]))
    cache = os.environ.get('XDG_CACHE_HOME') or osp.join(
        osp.expanduser('~'), '.cache')
    return osp.join(cache, 'seenet_mm', 'standin')


def standin_path(name: str = DEFAULT_NAME) -> str:
    """The weights file of the stand-in ``name``."""
    return osp.join(standin_dir(), f'{name}.pth')


def load_standin(filename: str, map_location: Optional[Any] = None) -> Any:
    """mmengine's loader of ``standin://NAME``: the stand-in's weights.

    Raises:
        FileNotFoundError: the stand-in has not been made; the message names
            the command that makes it.
    """
    from .compat.checkpoints import load_local_checkpoint
    name = filename[len(SCHEME):] or DEFAULT_NAME
    path = standin_path(name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'the toy stand-in {name} is missing ({path}): make it with '
            f'`{MAKE_COMMAND}` (the main job makes it as its first stage)')
    return load_local_checkpoint(path, map_location)


def uses_standin(config: str) -> bool:
    """Whether the backbone of ``config`` loads a stand-in (its
    ``init_cfg`` names ``standin://``); False for a config that does not
    load (the training that reads it names what is wrong)."""
    from mmengine.config import Config
    try:
        init = Config.fromfile(config).get('model', {}).get(
            'backbone', {}).get('init_cfg') or {}
    except Exception:
        return False
    inits = init if isinstance(init, list) else [init]
    return any(str(i.get('checkpoint', '')).startswith(SCHEME)
               for i in inits)


def register_standin_scheme() -> bool:
    """Register ``standin://`` with mmengine's checkpoint loader."""
    from mmengine.runner import CheckpointLoader
    if CheckpointLoader._schemes.get(SCHEME) is not load_standin:
        CheckpointLoader.register_scheme(prefixes=SCHEME, loader=load_standin,
                                         force=True)
    return True


__all__ = ['STANDIN_ENV', 'SCHEME', 'DEFAULT_NAME', 'MAKE_COMMAND',
           'standin_dir', 'standin_path', 'load_standin', 'uses_standin',
           'register_standin_scheme']
