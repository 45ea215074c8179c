# The toy SeeNet from the toy stand-in
# (seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py) on a set in the
# own-folder format: what `tools/pipeline.py --preset toy --data-root DIR`
# trains on an own folder. The datasets as in
# seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py
# (../_base_/datasets/toy_folder_image_labels.py). model.num_classes:
# tools/pipeline.py sets it from train.json.
_base_ = ['../_base_/models/seenet_vgg16-tiny-standin-pre.py',
          '../_base_/datasets/toy_folder_image_labels.py',
          '../_base_/schedules/seenet_toy_400.py',
          '../_base_/default_runtime.py']
