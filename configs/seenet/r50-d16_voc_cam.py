# An alias: the name this config had first (docs/configs.md#aliases).
_base_ = ['./seenet_r50-d16_1xb16-5e_voc12aug-512x512_cam.py']
