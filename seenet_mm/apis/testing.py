"""Testing (and evaluating) a checkpoint with mmengine's runner:
:func:`evaluate`, which ``tools/test.py`` calls (mmseg's arguments).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta] [--crf]
                         [--format-only --out DIR]
                         [--crf-workers N] [--amp | --no-amp]
                         [--show-dir DIR] [--out DIR] [--metrics-out FILE]
                         [--cfg-options ...] [--trust-checkpoint]

The checkpoint is loaded with weights_only=True (--trust-checkpoint: full
unpickling, for a trusted file written by older code); a checkpoint that
leaves weights of the model missing is an error. --metrics-out writes the
metrics as one JSON object (--out holds the predictions).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from .. import compat
from ..cli import (amp_requested, build_runner, check_data_files,
                   enable_visualization, load_config, require_all_weights,
                   use_crf, use_tta)
from ..engine.amp import set_amp
from ..fileio import write_json


def evaluate(config: str, checkpoint: str, *,
             work_dir: Optional[str] = None,
             tta: bool = False, crf: bool = False,
             crf_workers: Optional[int] = None, amp: Optional[bool] = None,
             show_dir: Optional[str] = None, out: Optional[str] = None,
             metrics_out: Optional[str] = None,
             cfg_options: Optional[Dict[str, Any]] = None,
             launcher: str = 'none',
             trust_checkpoint: bool = False,
             format_only: bool = False) -> Dict[str, float]:
    """Run the test loop of ``config`` on ``checkpoint``; return its
    metrics (``{'mIoU': ..., 'aAcc': ...}``, ``{'cls/mAP': ...}``).

    Args:
        tta: test-time augmentation (the config's ``tta_pipeline``).
        crf: dense-CRF post-processing (``crf_cfg``; pydensecrf2).
        crf_workers: processes running the CRFs (default: the cores).
        amp: autocast (True), float32 (False), or the config key (None).
        show_dir: where painted predictions are saved.
        out: where the predictions are saved.
        metrics_out: a JSON file the metrics are written to (atomically).
        format_only: images without masks (a test server's split): the
            test pipelines load no masks, nothing is scored, and the
            predictions go to ``out`` (required) as PNGs of class ids;
            returns ``{}``.
        Others: as :func:`seenet_mm.apis.training.train`.
    """
    cfg = load_config(config, cfg_options, work_dir, launcher)
    cfg.load_from = checkpoint
    if format_only:
        if out is None:
            raise ValueError('--format-only needs --out DIR: where the '
                             'predictions are written')
        drop_mask_loading(cfg)
        cfg.test_evaluator['format_only'] = True
    if trust_checkpoint:
        compat.trust_checkpoint(checkpoint)
    if show_dir:
        enable_visualization(cfg, show_dir)
    if tta:
        use_tta(cfg)
    if crf_workers is not None and not crf:
        raise ValueError('--crf-workers needs --crf')
    if crf:
        use_crf(cfg, crf_workers)
    if amp_requested(cfg, amp):
        set_amp(cfg)
    # the options first, then the files (the cheaper error first)
    check_data_files(cfg, ['test_dataloader'])
    if out is not None:
        cfg.test_evaluator['output_dir'] = out
        cfg.test_evaluator['keep_results'] = True
    runner = build_runner(cfg)
    require_all_weights(runner, checkpoint)
    metrics = {k: v.item() if hasattr(v, 'item') else v  # numpy scalars
               for k, v in (runner.test() or {}).items()}
    if metrics_out is not None:
        write_json(metrics_out, metrics, indent=1)
    compat.finish_distributed()
    return metrics


MASK_LOADERS = ('LoadAnnotations', 'LoadMaskIfExists')


def _without_mask_loading(pipeline: Any) -> Any:
    """``pipeline`` without its mask loaders, also inside
    ``TestTimeAug``'s lists of transforms."""
    if isinstance(pipeline, dict):
        if 'transforms' in pipeline:
            pipeline = dict(pipeline, transforms=_without_mask_loading(
                pipeline['transforms']))
        return pipeline
    if isinstance(pipeline, (list, tuple)):
        kept = [_without_mask_loading(t) for t in pipeline
                if not (isinstance(t, dict) and t.get('type') in
                        MASK_LOADERS)]
        return [t for t in kept if t != []]  # a TTA branch of loaders only
    return pipeline


def drop_mask_loading(cfg: Any) -> None:
    """Remove the mask loaders from the test pipeline and
    ``tta_pipeline`` of ``cfg`` (images without masks: a test server's
    split)."""
    dataset = cfg.test_dataloader.dataset
    dataset.pipeline = _without_mask_loading(dataset.pipeline)
    if cfg.get('tta_pipeline', None) is not None:
        cfg.tta_pipeline = _without_mask_loading(cfg.tta_pipeline)
