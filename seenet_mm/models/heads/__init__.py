from .attention_branch import AttentionBranch

__all__ = ['AttentionBranch']
