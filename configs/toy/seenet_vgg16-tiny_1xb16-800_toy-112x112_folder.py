# The toy SeeNet (seenet_vgg16-tiny_1xb16-800_toy-112x112.py: tiny widths, from
# scratch) on a set in the own-folder format, e.g. `tools/make_toy_dataset.py
# --classes a b c`. model.num_classes: tools/pipeline.py sets it from
# train.json.
_base_ = ['../_base_/models/seenet_vgg16-tiny.py',
          '../_base_/datasets/toy_folder_image_labels.py',
          '../_base_/schedules/seenet_toy_800.py',
          '../_base_/default_runtime.py']
