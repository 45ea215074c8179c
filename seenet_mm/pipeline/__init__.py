"""The main job (``tools/pipeline.py``) as a table of stages.

- :mod:`.context`: where the tools and configs are (:func:`repo_root`,
  :data:`PRESETS`) and the resolved inputs of one pass (:class:`Context`);
- :mod:`.stages`: the table :data:`STAGES` (name, the stages it reads, its
  tools' command lines, its recorded outputs and metrics);
- :mod:`.state`: ``pipeline_state.json`` (:class:`PipelineState`: load,
  save, invalidation, settings);
- :mod:`.runner`: the main run and ``--compare`` over the same table, and
  their reports;
- :mod:`.cli`: the arguments of ``tools/pipeline.py`` and :func:`main`.

Top layer, beside :mod:`seenet_mm.apis`: the stages run the tools as
subprocesses (``sys.executable``, working directory :func:`repo_root`).
"""
from .cli import build_parser, main, make_context, run
from .context import (DEFAULT_THRESHOLDS, PRESETS, Context, PipelineError,
                      mode_config, repo_root)
from .runner import (compare_key, execute, run_command, run_compare,
                     run_main, run_stages, write_compare, write_report)
from .stages import (COMPARE_STAGES, STAGE_NAMES, STAGES, Stage,
                     count_files, dependents, get_stage, latest_test_metrics,
                     missing_outputs)
from .state import STATE_FILE, PipelineState

__all__ = [
    'build_parser', 'main', 'make_context', 'run', 'PRESETS', 'Context',
    'DEFAULT_THRESHOLDS', 'mode_config',
    'PipelineError', 'repo_root', 'compare_key', 'execute', 'run_command',
    'run_compare', 'run_main', 'run_stages', 'write_compare',
    'write_report', 'COMPARE_STAGES', 'STAGE_NAMES', 'STAGES', 'Stage',
    'count_files', 'dependents', 'get_stage', 'latest_test_metrics',
    'missing_outputs', 'STATE_FILE', 'PipelineState'
]
