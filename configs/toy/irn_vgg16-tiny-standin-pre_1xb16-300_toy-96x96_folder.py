# The toy affinity network (irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py)
# on a set in the own-folder format: the images of train.json with their
# confident seeds (tools/pipeline.py passes its own folder).
_base_ = ['../_base_/models/irn_vgg16-tiny-standin-pre.py',
          '../_base_/datasets/toy_folder_seeds.py',
          '../_base_/schedules/irn_toy_300.py',
          '../_base_/default_runtime.py']
