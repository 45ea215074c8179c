"""The user-facing API of seenet_mm (nothing below ``apis`` imports it).

Re-exports the functions users call by these names: ``proxy_label``
(Algorithm 1) and ``threshold_proxy_label`` (saliency-free; home of both:
:mod:`seenet_mm.datasets.proxy_label`), the attention
file format (home: :mod:`seenet_mm.fileio`) and the fusion
(home: :mod:`seenet_mm.models.layers.attention_fusion`).
"""
from ..datasets.proxy_label import (harmonic_scores, proxy_label,
                                    threshold_proxy_label)
from ..fileio import load_attention, save_attention
from ..models.layers import fuse_attention, normalize_maps
from .attention import AttentionInferencer, init_attention_model
from .gallery import make_gallery

__all__ = ['proxy_label', 'threshold_proxy_label', 'harmonic_scores', 'AttentionInferencer',
           'init_attention_model', 'load_attention', 'save_attention',
           'normalize_maps', 'fuse_attention', 'make_gallery']
