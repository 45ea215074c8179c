# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./seenet_vgg16_1xb16-25k_voc12aug-224x224_cam.py']
