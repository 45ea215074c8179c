from .multilabel_map import MultiLabelMAP, average_precision

__all__ = ['MultiLabelMAP', 'average_precision']
