from .weighted_cross_entropy import WeightedCrossEntropyLoss

__all__ = ['WeightedCrossEntropyLoss']
