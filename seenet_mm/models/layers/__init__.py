from .attention_fusion import NORMS, fuse_attention, normalize_maps
from .c_relu import CReLU, c_relu
from .saliency_loss import (check_saliency_loss, low_saliency_cells,
                            saliency_background_loss)
from .ternary_mask import (background_mask, normalized_attention,
                           quantile_low, ternary_mask)

__all__ = ['c_relu', 'CReLU', 'ternary_mask', 'background_mask',
           'normalized_attention', 'quantile_low', 'fuse_attention',
           'normalize_maps',
           'NORMS', 'check_saliency_loss', 'low_saliency_cells',
           'saliency_background_loss']
