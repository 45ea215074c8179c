"""Models of seenet_mm; importing this registers them into mmseg."""
from .backbones import VGG16, convert_torchvision_vgg16
from .classifiers import SeeNet
from .decode_heads import LargeFOVHead
from .segmentors import AffinityNet, SegCRFModel
from .losses import WeightedCrossEntropyLoss
from .heads import AttentionBranch, BoundaryHead, FeatureAffinityHead
from .layers import (CReLU, background_mask, c_relu, fuse_attention,
                     normalize_maps, ternary_mask)

__all__ = ['VGG16', 'convert_torchvision_vgg16', 'SeeNet', 'AttentionBranch',
           'CReLU', 'c_relu', 'ternary_mask', 'background_mask', 'LargeFOVHead',
           'SegCRFModel', 'AffinityNet', 'BoundaryHead', 'FeatureAffinityHead', 'fuse_attention', 'normalize_maps',
           'WeightedCrossEntropyLoss']
