from .vgg import ARCH_SETTINGS, VGG16, conv_names
from .efficientnet_convert import LITE0_DEPTHS, convert_efficientnet_lite
from .vgg_convert import convert_torchvision_vgg16

__all__ = ['VGG16', 'ARCH_SETTINGS', 'conv_names',
           'convert_torchvision_vgg16', 'convert_efficientnet_lite', 'LITE0_DEPTHS']
