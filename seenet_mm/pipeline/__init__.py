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
  ``compare.md`` (their pages: :mod:`seenet_mm.visualization.report_page`);
- :mod:`.job`: :func:`run_pipeline`, the main job as one typed function
  (``tools/pipeline.py`` parses its command line and calls it).

Top layer, beside :mod:`seenet_mm.apis`, whose functions the stages call.
"""
from .job import run_pipeline
from .context import PipelineError
from .stages import STAGES, stage_table
# the import path users had for the toy set's and the stand-in's makers
# (their home: seenet_mm.apis.toy)
from ..apis.toy import make_standin, make_toy_dataset

__all__ = ['run_pipeline', 'PipelineError', 'STAGES', 'stage_table',
           'make_standin', 'make_toy_dataset']
