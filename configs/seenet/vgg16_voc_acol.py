# Ablation (paper Table 1): mode='acol'; everything else as vgg16_voc.py.
_base_ = ['./vgg16_voc.py']
model = dict(mode='acol')
