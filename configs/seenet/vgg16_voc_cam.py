# Ablation (paper Table 1): mode='cam'; everything else as vgg16_voc.py.
_base_ = ['./vgg16_voc.py']
model = dict(mode='cam')
