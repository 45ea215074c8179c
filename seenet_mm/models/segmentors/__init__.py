from .crf_model import SegCRFModel

__all__ = ['SegCRFModel']
