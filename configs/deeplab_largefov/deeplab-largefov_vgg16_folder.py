# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./deeplab-largefov_vgg16_1xb20-6k_folder-321x321.py']
