# Ablation (paper Table 1): mode='cam'; everything else as
# seenet_vgg16_1xb16-25k_voc12aug-224x224.py.
_base_ = ['./seenet_vgg16_1xb16-25k_voc12aug-224x224.py']
model = dict(mode='cam')
