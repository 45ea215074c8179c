# The toy DeepLab-LargeFOV (deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py)
# on a set in the own-folder format. model.decode_head.num_classes (M + 1):
# tools/pipeline.py sets it from train.json.
_base_ = ['../_base_/models/deeplab_largefov_vgg16-tiny.py',
          '../_base_/datasets/toy_folder_proxy_labels.py',
          '../_base_/schedules/deeplab_largefov_toy_1600.py',
          '../_base_/default_runtime.py']
