# SeeNet without S_C (its loss weight 0): the attribution experiment on the
# context toy set, which part of SeeNet's background prior acts on the
# context (docs/results_toy.md). S_C still runs, but nothing learns from it.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py']

model = dict(loss_weights=(1.0, 1.0, 0.0))
