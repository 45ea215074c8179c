# Toy ablation: mode='cam'; everything else as seenet_vgg16_toy.py.
_base_ = ['./seenet_vgg16_toy.py']
model = dict(mode='cam')
