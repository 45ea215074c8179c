# Toy ablation from the stand-in on an own folder: mode='cam'; everything
# else as seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_folder.py.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_folder.py']
model = dict(mode='cam')
