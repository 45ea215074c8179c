# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./seenet_vgg16_1xb16-50k_coco14-224x224.py']
