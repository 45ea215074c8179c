from .affinity_net import AffinityNet
from .crf_model import SegCRFModel

__all__ = ['AffinityNet', 'SegCRFModel']
