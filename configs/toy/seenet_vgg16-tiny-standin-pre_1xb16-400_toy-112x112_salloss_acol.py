# Toy ablation from the stand-in with the saliency background loss:
# mode='acol'; everything else as
# seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_salloss.py.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_salloss.py']
model = dict(mode='acol')
