# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./deeplab-largefov_vgg16_1xb20-48k_coco14-321x321.py']
