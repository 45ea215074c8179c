"""The synthetic toy set (the project's embedded default): VOC's layout,
or the own-folder format for any class names."""
from .generator import (DEFAULT_CLASSES, ToyConfig, generate_toy_dataset,
                        generate_toy_folder, make_sample)
from ..metainfo import IGNORE_INDEX, VOC_CLASSES, class_id, voc_palette

__all__ = ['ToyConfig', 'generate_toy_dataset', 'generate_toy_folder',
           'make_sample', 'DEFAULT_CLASSES', 'VOC_CLASSES', 'IGNORE_INDEX',
           'class_id', 'voc_palette']
