# Toy ablation: mode='acol'; everything else as seenet_vgg16_toy.py.
_base_ = ['./seenet_vgg16_toy.py']
model = dict(mode='acol')
