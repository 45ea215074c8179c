# Ablation: mode='seenet-noflip'; everything else as seenet_vgg16_toy_folder.py.
_base_ = ['./seenet_vgg16_toy_folder.py']
model = dict(mode='seenet-noflip')
