"""``pipeline_state.json``: what a work dir already holds."""
from __future__ import annotations

import contextlib
import json
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..fileio import write_json
from ..locking import waiting_lock
from .context import PipelineError
from .stages import STAGES, Stage, dependents, missing_outputs

STATE_FILE = 'pipeline_state.json'


class PipelineState:
    """The state of a work dir, saved after each finished stage.

    Keys: each finished stage's name (its info: ``seconds``, what it wrote,
    its ``metrics``), ``settings`` (the inputs the results were made with)
    and ``compare/<mode>/seed<seed>`` (one ``--compare`` row each).

    Args:
        path: the JSON file.
        entries: its content.
    """

    def __init__(self, path: str, entries: Optional[dict] = None) -> None:
        self.path = path
        self.entries: dict = {} if entries is None else entries
        # stages forgotten here (--from, lost outputs) that the file may
        # still hold: :meth:`shared` forgets them there too
        self._forgotten: set = set()

    @classmethod
    def load(cls, work_dir: str) -> 'PipelineState':
        """The state of ``work_dir`` (empty when it has none)."""
        path = osp.join(work_dir, STATE_FILE)
        entries = None
        if osp.isfile(path):
            with open(path) as f:
                entries = json.load(f)
        return cls(path, entries)

    def save(self) -> None:
        write_json(self.path, self.entries, indent=1)

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __getitem__(self, key: str) -> dict:
        return self.entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def finish(self, key: str, info: dict) -> None:
        """Record a finished stage (or compare row) and save."""
        self.entries[key] = info
        self.save()

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """For runs that share the work dir (``--compare`` of separate
        modes side by side): within the block this process alone reads and
        writes the state file; the block starts from the file's content,
        with this run's settings, and :meth:`finish` inside it adds to what
        the others wrote."""
        with waiting_lock(osp.join(osp.dirname(self.path),
                                   '.pipeline_state.lock')):
            settings = self.entries.get('settings')
            if osp.isfile(self.path):
                with open(self.path) as f:
                    self.entries = json.load(f)
            for key in self._forgotten:
                self.entries.pop(key, None)
            self._forgotten.clear()
            if settings is not None:
                self.entries['settings'] = settings
            yield

    def redo_from(self, name: str,
                  stages: Sequence[Stage] = STAGES) -> List[str]:
        """Forget ``name`` and every stage after it (``--from``); returns
        their names."""
        names = [s.name for s in stages]
        for stage in names[names.index(name):]:
            self.entries.pop(stage, None)
            self._forgotten.add(stage)
        return names[names.index(name):]

    def use_settings(self, settings: Dict[str, object],
                     allow_change: bool = False) -> None:
        """Take ``settings`` as the work dir's; other settings than those
        its results were made with raise :class:`PipelineError` naming the
        difference, unless ``allow_change`` (``--from``)."""
        changed = {k: (v, settings[k]) for k, v in
                   self.entries.get('settings', {}).items()
                   if k in settings and v != settings[k]}
        if changed and not allow_change:
            raise PipelineError(
                f'error: {osp.dirname(self.path)} holds results made with '
                'other settings (' + '; '.join(
                    f'{k}: {a} -> {b}' for k, (a, b) in changed.items())
                + '); use another --work-dir, or --from STAGE to redo the '
                'stages from STAGE on with the new settings')
        self.entries['settings'] = settings

    def invalidate(self, stages: Sequence[Stage] = STAGES
                   ) -> List[Tuple[str, str, List[str]]]:
        """Forget each finished stage whose recorded outputs are gone, with
        the finished stages that read them.

        Returns:
            ``(stage, why, forgotten stages)`` for each such stage.
        """
        forgotten = []
        for stage in stages:
            if stage.name not in self.entries:
                continue
            why = missing_outputs(self.entries[stage.name])
            if why:
                redo = [s for s in dependents(stage.name, stages)
                        if s in self.entries]
                for s in redo:
                    self.entries.pop(s)
                    self._forgotten.add(s)
                forgotten.append((stage.name, why, redo))
        return forgotten
