from .largefov_head import LargeFOVHead

__all__ = ['LargeFOVHead']
