# Toy ablation: mode='acol'; everything else as
# seenet_vgg16-tiny_1xb16-800_toy-112x112.py.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112.py']
model = dict(mode='acol')
