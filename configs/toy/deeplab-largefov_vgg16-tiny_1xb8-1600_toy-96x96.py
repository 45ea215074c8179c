# DeepLab-LargeFOV on the toy set's proxy labels: VGG16 x0.25 + BN, from
# scratch, 96x96 crops; about 2 minutes on 2 CPU cores.
_base_ = ['../_base_/models/deeplab_largefov_vgg16-tiny.py',
          '../_base_/datasets/toy_proxy_labels.py',
          '../_base_/schedules/deeplab_largefov_toy_1600.py',
          '../_base_/default_runtime.py']
