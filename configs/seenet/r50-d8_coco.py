# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./seenet_r50-d8_1xb16-5e_coco14-512x512.py']
