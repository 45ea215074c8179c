# DeepLab-LargeFOV (VGG16, DeepLab v1 recipe as the VOC config) on the proxy
# labels of your own folder. Set model.decode_head.num_classes to M + 1
# (tools/pipeline.py does it).
_base_ = [
    '../_base_/models/deeplab_largefov_vgg16.py',
    '../_base_/datasets/folder_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
