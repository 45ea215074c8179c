from .multilabel_map import MultiLabelMAP, average_precision
from .seed_metric import AttentionSeedMetric
from .seeds import LabelEvaluator, SeedEvaluator

__all__ = ['MultiLabelMAP', 'average_precision', 'AttentionSeedMetric',
           'SeedEvaluator', 'LabelEvaluator']
