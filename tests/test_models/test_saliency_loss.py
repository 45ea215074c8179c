"""The saliency background loss (an option beyond the paper): the formula
against per-cell loops in float64, its one-sidedness, its errors, and
SeeNet's use of it."""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement, PixelData
from mmseg.registry import MODELS

from seenet_mm.models.layers import (check_saliency_loss, low_saliency_cells,
                                     saliency_background_loss)


def reference(maps, labels, low, kind):
    """Per image, class and cell, in float64."""
    total, count = 0.0, 0
    n, m, h, w = maps.shape
    for i in range(n):
        for c in range(m):
            if labels[i, c] <= 0:
                continue
            for y in range(h):
                for x in range(w):
                    if not low[i, 0, y, x]:
                        continue
                    s = float(maps[i, c, y, x])
                    p = 1.0 / (1.0 + math.exp(-s))
                    total += -math.log(1.0 - p) if kind == 'bce' else p * p
                    count += 1
    return total / count if count else 0.0


@pytest.mark.parametrize('kind', ['bce', 'mse'])
def test_loss_equals_the_per_cell_loop(kind):
    g = torch.Generator().manual_seed(0)
    maps = torch.randn(3, 4, 5, 6, generator=g) * 3
    labels = torch.tensor([[1., 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    low = torch.rand(3, 1, 5, 6, generator=g) < 0.5
    got = saliency_background_loss(maps, labels, low, kind)
    assert got.item() == pytest.approx(
        reference(maps.double().numpy(), labels.numpy(), low.numpy(), kind),
        rel=1e-6)


def test_cells_are_area_means_of_the_map():
    sal = torch.rand(2, 1, 12, 18, generator=torch.Generator().manual_seed(1))
    cells = low_saliency_cells(sal, (4, 6), 0.5)
    ref = np.zeros((2, 1, 4, 6), bool)
    for i in range(2):
        for y in range(4):
            for x in range(6):
                ref[i, 0, y, x] = sal[i, 0, 3 * y:3 * y + 3,
                                      3 * x:3 * x + 3].mean() < 0.5
    assert np.array_equal(cells.numpy(), ref)


def test_one_sided_and_zero_without_low_cells():
    maps = torch.randn(2, 3, 4, 4, requires_grad=True)
    labels = torch.ones(2, 3)
    none = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    loss = saliency_background_loss(maps, labels, none)
    assert loss.item() == 0.0
    loss.backward()  # still in the graph, with zero gradients
    assert maps.grad.abs().sum() == 0
    # only low cells of labelled classes get gradient, and only downwards
    maps.grad = None
    low = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    low[0, 0, 1, 2] = True
    saliency_background_loss(maps, torch.tensor([[1., 0, 0], [1, 1, 1]]),
                             low).backward()
    nonzero = maps.grad.nonzero().tolist()
    assert nonzero == [[0, 0, 1, 2]]
    assert maps.grad[0, 0, 1, 2] > 0  # gradient descent lowers the score


def test_settings_are_checked():
    assert check_saliency_loss(None) is None
    assert check_saliency_loss({}) == dict(low=0.2, weight=1.0, kind='bce',
                                           branches=('a', ))
    for bad, msg in [(dict(lo=0.1), 'unknown keys'),
                     (dict(low=0.0), 'low must be in'),
                     (dict(weight=-1), 'weight must be'),
                     (dict(kind='l1'), 'kind must be one of'),
                     (dict(branches=('c', )), 'branches must be')]:
        with pytest.raises(ValueError, match=msg):
            check_saliency_loss(bad)


def build(mode='seenet', **kwargs):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='SeeNet', mode=mode, in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125),
        branch=dict(type='AttentionBranch', channels=8), num_classes=5,
        data_preprocessor=dict(type='ImgDataPreprocessor'), **kwargs))


LABELS = torch.tensor([[1., 0, 0, 1, 0], [0, 1, 0, 0, 0]])


def samples(saliency=None):
    out = []
    for i, labels in enumerate(LABELS):
        ds = BaseDataElement(gt_class_labels=labels)
        if saliency is not None:
            ds.gt_saliency = PixelData(data=saliency[i])
        out.append(ds)
    return out


@pytest.mark.parametrize('mode,branches', [('seenet', ('a', 'b')),
                                           ('cam', ('a', ))])
def test_seenet_adds_the_loss_of_each_branch(mode, branches):
    cfg = dict(low=0.3, weight=2.0, kind='mse', branches=branches)
    model = build(mode, saliency_loss=cfg)
    x = torch.randn(2, 3, 64, 64)
    sal = torch.full((2, 1, 64, 64), 0.9)
    sal[0, :, :, :24] = 0.1  # the left of image 0 and the top of image 1
    sal[1, :, :40] = 0.1
    losses = model(x, samples(sal), mode='loss')
    out = model.forward_branches(x, LABELS)
    low = low_saliency_cells(sal, out['maps_a'].shape[-2:], 0.3)
    assert 0 < low.float().mean() < 1
    for b in branches:
        want = 2.0 * saliency_background_loss(out[f'maps_{b}'], LABELS, low,
                                              'mse')
        assert torch.allclose(losses[f'loss_sal_{b}'], want)
    assert {k for k in losses if k.startswith('loss_sal')} == {
        f'loss_sal_{b}' for b in branches}
    # everything salient: nothing to push down
    ones = torch.ones(2, 1, 64, 64)
    assert model(x, samples(ones), mode='loss')['loss_sal_a'].item() == 0.0


def test_seenet_without_the_loss_is_unchanged_and_errors():
    x = torch.randn(2, 3, 64, 64)
    plain = build()(x, samples(), mode='loss')
    assert not any(k.startswith('loss_sal') for k in plain)
    with pytest.raises(KeyError, match='gt_saliency'):
        build(saliency_loss={})(x, samples(), mode='loss')
    with pytest.raises(ValueError, match="mode 'cam' has no S_B"):
        build('cam', saliency_loss=dict(branches=('a', 'b')))
