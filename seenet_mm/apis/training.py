"""Training a config with mmengine's runner: :func:`train`, which
``tools/train.py`` calls (mmseg's arguments), and :func:`val_history`, the
validation passes a training logged.

Checkpoints are written in plain types and loaded with weights_only=True;
--trust-checkpoint loads the checkpoint resumed from (or load_from) with
full unpickling, for a trusted file written by older code.
"""
from __future__ import annotations

import glob
import json
import os.path as osp
from typing import Any, Dict, List, Optional

from .. import compat
from ..cli import (amp_requested, build_runner, check_data_files,
                   load_config, trust_train_checkpoint)
from ..engine.amp import set_amp
from ..locking import work_dir_lock


def train(config: str, *, work_dir: Optional[str] = None,
          resume: bool = False,
          amp: Optional[bool] = None,
          cfg_options: Optional[Dict[str, Any]] = None,
          launcher: str = 'none', trust_checkpoint: bool = False) -> str:
    """Train the model of ``config``; return the work dir.

    Args:
        config: the config file.
        work_dir: where logs and checkpoints go (default: the config's, else
            ``./work_dirs/<config name>``).
        resume: continue from the work dir's latest checkpoint.
        amp: autocast (True), float32 (False), or the config key ``amp``
            (None; :func:`seenet_mm.cli.amp_requested`).
        cfg_options: config keys to override (``{'a.b': 1}``).
        launcher: ``'none'`` or a distributed launcher (``'pytorch'``).
        trust_checkpoint: load the checkpoint resumed from (or
            ``load_from``) with full unpickling: only for a trusted file.
    """
    cfg = load_config(config, cfg_options, work_dir, launcher)
    if amp_requested(cfg, amp):
        set_amp(cfg)
    cfg.resume = resume
    check_data_files(cfg, ['train_dataloader'] + (
        ['val_dataloader'] if cfg.get('val_cfg', None) else []))
    with work_dir_lock(cfg.work_dir):  # one training per work dir
        if trust_checkpoint:
            trust_train_checkpoint(cfg, resume)
        runner = build_runner(cfg)
        runner.train()
    compat.finish_distributed()
    return cfg.work_dir


def val_history(train_dir: str) -> List[dict]:
    """The validation passes of a training, from its
    ``<timestamp>/vis_data/scalars.json`` files: one dict per pass with
    ``iter`` and the metrics (the keys holding a ``/``, as ``seed/mIoU``),
    by iteration; a pass repeated by a resumed run counts once, the later
    one."""
    passes: Dict[int, dict] = {}
    for path in sorted(glob.glob(osp.join(train_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                metrics = {k: v for k, v in entry.items() if '/' in k}
                if metrics and 'step' in entry:
                    passes[int(entry['step'])] = dict(iter=int(entry['step']),
                                                      **metrics)
    return [passes[k] for k in sorted(passes)]
