"""WeightedCrossEntropyLoss against a per-pixel loop in float64."""
import math

import pytest
import torch
from mmseg.registry import MODELS

import seenet_mm.models  # noqa: F401  (registers the loss)


def _loop(logits, label, weights, ignore=255):
    num = den = 0.0
    logp = logits.double().log_softmax(1)
    n, _, h, w = logits.shape
    for b in range(n):
        for y in range(h):
            for x in range(w):
                c = int(label[b, y, x])
                if c == ignore:
                    continue
                wc = 1.0 if weights is None else weights[c]
                num -= wc * float(logp[b, c, y, x])
                den += wc
    return num / den


@pytest.mark.parametrize('weights', [None, [0.05, 1.0, 2.5]])
def test_matches_loop_with_ignored_pixels(weights):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 3, 5, 4, generator=g)
    label = torch.randint(0, 3, (2, 5, 4), generator=g)
    label[0, :2] = 255
    loss = MODELS.build(dict(type='WeightedCrossEntropyLoss',
                             class_weight=weights, loss_weight=2.0))
    assert loss.loss_name == 'loss_ce'
    got = float(loss(logits, label, ignore_index=255))
    assert math.isclose(got, 2.0 * _loop(logits, label, weights),
                        rel_tol=1e-5)


def test_mmseg_cross_entropy_fails_where_this_one_works():
    # The reason for this loss: mmseg's weighted loss indexes its weights
    # with the label map, 255 included.
    logits = torch.randn(1, 3, 2, 2)
    label = torch.tensor([[[0, 1], [2, 255]]])
    mmseg_ce = MODELS.build(dict(type='CrossEntropyLoss',
                                 class_weight=[1.0, 1.0, 1.0]))
    with pytest.raises(IndexError):
        mmseg_ce(logits, label, ignore_index=255)
    ours = MODELS.build(dict(type='WeightedCrossEntropyLoss',
                             class_weight=[1.0, 1.0, 1.0]))
    plain = MODELS.build(dict(type='CrossEntropyLoss', avg_non_ignore=True))
    assert math.isclose(float(ours(logits, label)),
                        float(plain(logits, label, ignore_index=255)),
                        rel_tol=1e-6)


def test_all_ignored_gives_zero_with_gradient():
    logits = torch.randn(1, 3, 2, 2, requires_grad=True)
    label = torch.full((1, 2, 2), 255)
    loss = MODELS.build(dict(type='WeightedCrossEntropyLoss'))(logits, label)
    loss.backward()
    assert float(loss) == 0.0 and logits.grad is not None


def test_wrong_number_of_weights_is_one_error():
    loss = MODELS.build(dict(type='WeightedCrossEntropyLoss',
                             class_weight=[1.0, 2.0]))
    with pytest.raises(ValueError, match='2 class weights for 3 classes'):
        loss(torch.randn(1, 3, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long))
