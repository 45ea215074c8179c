# Toy ablation from the stand-in: mode='cam'; everything else as
# seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py']
model = dict(mode='cam')
