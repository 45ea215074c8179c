# SeeNet on the synthetic toy set: tiny widths and inputs, trained from
# scratch (no ImageNet weights) in about 2 minutes on 2 CPU cores.
_base_ = ['../_base_/models/seenet_vgg16-tiny.py',
          '../_base_/datasets/toy_image_labels.py',
          '../_base_/schedules/seenet_toy_800.py',
          '../_base_/default_runtime.py']
