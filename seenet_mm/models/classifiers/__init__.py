from .seenet import MODES, SeeNet

__all__ = ['SeeNet', 'MODES']
