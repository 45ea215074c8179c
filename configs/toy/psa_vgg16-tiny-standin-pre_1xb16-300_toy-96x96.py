# PSA's affinity network (Ahn & Kwak, CVPR 2018; AffinityNet with
# affinity='feature') on the toy set, in place of IRN's boundary map: an
# embedding of the backbone's last three taps (PSA: VGG16's conv4, conv5,
# fc6; 64 + 128 + 256 -> 448 channels, here a quarter of the widths), the
# affinity of two cells exp(-mean |f_i - f_j|), the backbone fine-tuned (PSA)
# from the toy stand-in. PSA's grid: stride 8, links of radius 5 in the loss
# and the walk, beta 8, 256 steps (logt 8); on the toy images' ~20 x 17
# cells at stride 8 the same reach takes 32 steps (as the toy IRN config).
# The walk starts from the same cold sources and scores the background as
# the toy IRN config (tools/refine_labels.py). Everything else (data, 300
# iterations of 96x96 crops, batch 16) as
# irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py.
_base_ = ['../_base_/models/psa_vgg16-tiny-standin-pre.py',
          '../_base_/datasets/toy_seeds.py',
          '../_base_/schedules/psa_toy_300.py',
          '../_base_/default_runtime.py']
