"""ClassWeightHook sets the loss weights from the training labels."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch.nn as nn
from mmseg.registry import HOOKS, MODELS

import seenet_mm.engine  # noqa: F401
import seenet_mm.models  # noqa: F401
from seenet_mm.datasets import class_pixel_counts, median_frequency_weights
from seenet_mm.fileio import save_label_png


class _Dataset:
    def __init__(self, paths):
        self.paths = paths

    def __len__(self):
        return len(self.paths)

    def get_data_info(self, i):
        return dict(seg_map_path=self.paths[i])


def _runner(paths, loss_cfg):
    head = nn.Module()
    head.num_classes = 3
    head.loss_decode = MODELS.build(loss_cfg)
    model = nn.Module()
    model.decode_head = head
    return SimpleNamespace(model=model, train_dataloader=SimpleNamespace(
        dataset=_Dataset(paths)))


def _labels(tmp_path):
    paths = []
    for i in range(3):
        lab = np.zeros((4, 4), np.uint8)
        lab[:i + 1, :1] = 1
        lab[3, 3] = 2 if i == 0 else 255
        paths.append(str(tmp_path / f'{i}.png'))
        save_label_png(paths[-1], lab)
    return paths


def test_sets_the_loss_weights(tmp_path):
    paths = _labels(tmp_path)
    runner = _runner(paths, dict(type='WeightedCrossEntropyLoss'))
    hook = HOOKS.build(dict(type='ClassWeightHook'))
    hook.before_train(runner)
    expected = median_frequency_weights(*class_pixel_counts(paths, 3))
    assert runner.model.decode_head.loss_decode.class_weight == expected
    assert expected[0] < expected[1] < expected[2]


def test_refuses_mmseg_cross_entropy(tmp_path):
    runner = _runner(_labels(tmp_path), dict(type='CrossEntropyLoss'))
    with pytest.raises(ValueError, match='WeightedCrossEntropyLoss'):
        HOOKS.build(dict(type='ClassWeightHook')).before_train(runner)
