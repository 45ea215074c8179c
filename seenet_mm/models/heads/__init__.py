from .attention_branch import AttentionBranch
from .boundary_head import BoundaryHead

__all__ = ['AttentionBranch', 'BoundaryHead']
