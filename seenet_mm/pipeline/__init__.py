"""The main job (``tools/pipeline.py``) as a table of stages.

- :mod:`.stages`: the table :data:`STAGES` (each stage: the stages it
  reads, its calls of :mod:`seenet_mm.apis` functions with their tools'
  command lines, what it records, its metrics);
- :mod:`.context`: where the tools and configs are and the resolved inputs
  of one pass (:class:`~.context.Context`);
- :mod:`.state`: ``pipeline_state.json`` (load, save, invalidation,
  settings);
- :mod:`.runner`: the main run and ``--compare`` over the table, each
  stage's functions called in this process (:mod:`.inprocess`);
- :mod:`.reports`: ``report.json`` / ``report.md``, ``compare.json`` /
  ``compare.md``;
- :mod:`.toy_data`: the toy set and the toy stand-in;
- :mod:`.command_line`: the arguments of ``tools/pipeline.py`` and
  :func:`main`.

Top layer, beside :mod:`seenet_mm.apis`, whose functions the stages call.
"""
from .command_line import main, run
from .context import PipelineError
from .stages import STAGES, stage_table
from .toy_data import make_standin, make_toy_dataset

__all__ = ['main', 'run', 'PipelineError', 'STAGES', 'stage_table',
           'make_standin', 'make_toy_dataset']
