"""High-level functions of seenet_mm."""
from .attention import (AttentionInferencer, init_attention_model,
                        load_attention, normalize_maps, save_attention)
from .proxy_label import harmonic_scores, proxy_label

__all__ = ['proxy_label', 'harmonic_scores', 'AttentionInferencer',
           'init_attention_model', 'load_attention', 'save_attention',
           'normalize_maps']
