from .context_nearness import NearnessCounter, object_distance
from .multilabel_map import MultiLabelMAP, average_precision
from .seed_metric import AttentionSeedMetric
from .seeds import LabelEvaluator, SeedEvaluator
from .zone_metric import ZoneMetric, zone_counts, zone_scores

__all__ = ['MultiLabelMAP', 'average_precision', 'AttentionSeedMetric',
           'SeedEvaluator', 'LabelEvaluator', 'ZoneMetric', 'zone_counts',
           'zone_scores', 'NearnessCounter', 'object_distance']
