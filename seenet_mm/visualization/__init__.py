from .attention_visualizer import ZONE_COLOURS, AttentionVisualizer

__all__ = ['AttentionVisualizer', 'ZONE_COLOURS']
