from .attention_branch import AttentionBranch
from .boundary_head import BoundaryHead
from .feature_affinity_head import FeatureAffinityHead

__all__ = ['AttentionBranch', 'BoundaryHead', 'FeatureAffinityHead']
