"""Models of seenet_mm; importing this registers them into mmseg."""
from .backbones import VGG16, convert_torchvision_vgg16

__all__ = ['VGG16', 'convert_torchvision_vgg16']
