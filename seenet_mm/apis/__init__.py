"""The user-facing API of seenet_mm (nothing below ``apis`` imports it).

The functions behind the tools, by the names a notebook calls them, each
with typed keyword parameters whose defaults are the tools' (their one
home): ``train`` (``tools/train.py``), ``evaluate`` (``tools/test.py``),
``infer_attention``, ``make_proxy_labels``, ``refine_labels``,
``evaluate_seeds`` (``tools/eval_seeds.py``), ``write_gallery``
(``tools/make_gallery.py``), ``make_saliency_maps``
(``tools/make_saliency.py``), ``make_toy_dataset`` and ``make_standin``
(the toy set and the toy stand-in, :mod:`.toy`). Each tool parses its own command line
(``parse_args``) and calls one of them (``main``).

The modules are named after the main job's stages, in the order a reader
follows them: :mod:`.attention` (the inferencer), :mod:`.maps` (stage
``maps``), :mod:`.labels` (``labels``), :mod:`.refinement` (``refine``),
:mod:`.training` and :mod:`.testing` (the trainings and their tests, the
segmentation's included), :mod:`.quality` (``quality``,
``refined_quality``) and :mod:`.gallery` (``gallery``); beside them
:mod:`.saliency_maps`, :mod:`.context_analysis`, and the helpers
:mod:`.image_list` and :mod:`.per_image`.

Re-exports the functions users call by these names: ``proxy_label``
(Algorithm 1) and ``threshold_proxy_label`` (saliency-free; home of both:
:mod:`seenet_mm.datasets.label_rules`), the attention file format (home:
:mod:`seenet_mm.attention_codec`) and the fusion (home:
:mod:`seenet_mm.models.layers.attention_fusion`).
"""
from ..attention_codec import load_attention, save_attention
from ..datasets.label_rules import (harmonic_scores, proxy_label,
                                    threshold_proxy_label)
from ..models.layers import fuse_attention, normalize_maps
from .attention import AttentionInferencer, init_attention_model, init_model
from .gallery import make_gallery, write_gallery
from .labels import make_proxy_labels
from .maps import infer_attention
from .quality import evaluate_seeds
from .refinement import refine_labels
from .saliency_maps import make_saliency_maps
from .testing import evaluate
from .toy import make_standin, make_toy_dataset
from .training import train

__all__ = ['train', 'evaluate', 'infer_attention', 'make_proxy_labels',
           'refine_labels', 'init_model', 'make_saliency_maps',
           'make_toy_dataset', 'make_standin',
           'evaluate_seeds', 'make_gallery', 'write_gallery', 'proxy_label',
           'threshold_proxy_label', 'harmonic_scores', 'AttentionInferencer',
           'init_attention_model', 'load_attention', 'save_attention',
           'normalize_maps', 'fuse_attention']
