"""Checkpoints in plain types, loadable with ``weights_only=True``."""
from __future__ import annotations

import logging

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS

from ...compat.checkpoints import TRUST_ENV, to_plain


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Write every checkpoint in plain types (dicts, lists, numbers,
    strings, tensors), so that it loads with ``weights_only=True``.

    mmengine's ``Runner.save_checkpoint`` stores the message hub's
    ``HistoryBuffer`` objects and numpy values (``runtime_info``,
    ``meta``); loading them would need full unpickling, which can run any
    code stored in the file. This hook replaces them by tagged plain values
    (:func:`seenet_mm.compat.to_plain`: exact, same dtypes) just before the
    file is written; seenet_mm's checkpoint loader turns them back into the
    original objects for ``--resume``, so a resumed run logs and schedules
    exactly as before. Objects it cannot convert are left as they are and
    named in one warning (such a checkpoint then needs the
    ``SEENET_TRUSTED_CHECKPOINTS`` opt-in).

    The project's configs list it in ``default_hooks`` (so mmseg's own
    ``train.py`` writes plain checkpoints too), and seenet_mm's tools add it
    to any runner they build that lacks it (``seenet_mm.cli.build_runner``).
    """

    # last in before_save_checkpoint: after every hook that adds content
    priority = 'LOWEST'

    def __init__(self) -> None:
        self._warned = set()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        unknown: list = []
        for key in list(checkpoint):
            checkpoint[key] = to_plain(checkpoint[key], unknown, key)
        new = [(path, kind) for path, kind in unknown
               if path not in self._warned]
        if new:
            self._warned.update(path for path, _ in new)
            named = ', '.join(f'{path} ({kind.__module__}.{kind.__name__})'
                              for path, kind in new[:5])
            print_log(
                f'PlainCheckpointHook: {len(new)} checkpoint entries are not '
                f'plain types: {named}; loading the checkpoint will need '
                f'{TRUST_ENV}', logger='current', level=logging.WARNING)
