# Ablation: mode='acol'; everything else as
# seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py']
model = dict(mode='acol')
