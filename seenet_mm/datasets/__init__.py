"""Datasets and transforms of seenet_mm (registered into mmseg)."""
from .class_weights import (class_pixel_counts,
                            median_frequency_weights)
from .image_folder import (FolderFormatError, ImageFolderSegDataset,
                           ImageLabelFolderDataset, LoadMaskIfExists,
                           is_image_folder, read_split, validate_folder)
from .proxy_transforms import (CarrySaliency, GenerateProxyLabel,
                               LoadAttentionMaps, LoadSaliencyMap)
from .transforms import PackImageLabelInputs
from .voc_image_labels import VOCImageLabelDataset, read_voc_xml_labels

__all__ = ['VOCImageLabelDataset', 'PackImageLabelInputs',
           'read_voc_xml_labels', 'LoadSaliencyMap', 'CarrySaliency', 'LoadAttentionMaps',
           'GenerateProxyLabel', 'ImageLabelFolderDataset',
           'ImageFolderSegDataset', 'LoadMaskIfExists', 'FolderFormatError',
           'read_split', 'validate_folder', 'is_image_folder',
           'class_pixel_counts', 'median_frequency_weights']
