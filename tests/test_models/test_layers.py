"""c_relu and the masks against references written per element."""
import itertools

import numpy as np
import pytest
import torch

from seenet_mm.models import CReLU, background_mask, c_relu, ternary_mask


def c_relu_reference(x, mask):
    out = torch.empty_like(x, dtype=torch.float64)
    n, c, h, w = x.shape
    for i, j, k, l in itertools.product(range(n), range(c), range(h),
                                        range(w)):
        out[i, j, k, l] = max(float(x[i, j, k, l]), 0.0) * float(
            mask[i, 0, k, l])
    return out


def test_c_relu_matches_per_element_reference():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 4, 5, generator=g, dtype=torch.float64)
    mask = torch.randint(-1, 2, (2, 1, 4, 5), generator=g).double()
    assert torch.equal(c_relu(x, mask), c_relu_reference(x, mask))
    assert torch.equal(CReLU()(x, mask), c_relu(x, mask))


def test_c_relu_gradients_by_zone():
    x = torch.tensor([[[[1.0, 2.0, 3.0], [-1.0, 4.0, 5.0]]]],
                     requires_grad=True)
    mask = torch.tensor([[[[0.0, 1.0, -1.0], [1.0, -1.0, 0.0]]]],
                        requires_grad=True)
    c_relu(x, mask).sum().backward()
    expect = torch.tensor([[[[0.0, 1.0, -1.0], [0.0, -1.0, 0.0]]]])
    # erased units: 0; potential zone: 1 (untouched); background: -1
    # (negated); negative inputs: 0 (ReLU)
    assert torch.equal(x.grad, expect)
    assert mask.grad is None  # no gradient reaches the mask


def test_c_relu_rejects_bad_mask():
    with pytest.raises(ValueError, match=r'\[N, 1, H, W\]'):
        c_relu(torch.zeros(1, 2, 3, 3), torch.zeros(1, 2, 3, 3))


def ternary_reference(maps, labels, high, low):
    """Per pixel, float64, straight from the definition."""
    n, m, h, w = maps.shape
    out = torch.empty(n, 1, h, w, dtype=torch.float64)
    for i in range(n):
        classes = [c for c in range(m) if labels[i, c] > 0]
        peaks = {c: max(float(maps[i, c].max()), 0.0) for c in classes}
        for y, x in itertools.product(range(h), range(w)):
            if not classes:
                out[i, 0, y, x] = 1
                continue
            a = max((max(float(maps[i, c, y, x]), 0.0) / peaks[c]
                     if peaks[c] > 1e-5 else 0.0) for c in classes)
            out[i, 0, y, x] = 0 if a >= high else (-1 if a < low else 1)
    return out


def test_ternary_mask_hand_made_single_class():
    maps = torch.tensor([[[[10.0, 7.0, 6.9], [0.5, 0.49, -3.0]]]])
    labels = torch.tensor([[1.0]])
    t = ternary_mask(maps, labels, high=0.7, low=0.05)
    assert t.tolist() == [[[[0.0, 0.0, 1.0], [1.0, -1.0, -1.0]]]]


def test_ternary_mask_max_over_the_image_classes_only():
    # class 0 peaks left, class 1 peaks right, class 2 (not a label) peaks
    # in the middle and must be ignored
    maps = torch.tensor([[[[4.0, 0.0, 0.0]], [[0.0, 0.0, 2.0]],
                          [[0.0, 9.0, 0.0]]]])
    t = ternary_mask(maps, torch.tensor([[1.0, 1.0, 0.0]]))
    assert t.tolist() == [[[[0.0, -1.0, 0.0]]]]


def test_ternary_and_background_masks_without_labels():
    maps = torch.randn(1, 4, 3, 3)
    labels = torch.zeros(1, 4)
    assert torch.equal(ternary_mask(maps, labels), torch.ones(1, 1, 3, 3))
    assert torch.equal(background_mask(maps, labels),
                       torch.zeros(1, 1, 3, 3))


def test_all_negative_class_map_is_background():
    maps = -torch.rand(1, 2, 3, 3) - 0.1
    t = ternary_mask(maps, torch.tensor([[1.0, 0.0]]))
    assert torch.equal(t, -torch.ones(1, 1, 3, 3))


def test_batch_of_mixed_images_against_reference():
    g = torch.Generator().manual_seed(1)
    maps = torch.randn(5, 6, 7, 8, generator=g) * 3
    labels = torch.zeros(5, 6)
    labels[0, 2] = 1
    labels[1, [0, 3, 5]] = 1
    labels[3, :] = 1  # every class
    labels[4, 1] = 1
    maps[4, 1] = -maps[4, 1].abs()  # a label whose map is all negative
    # image 2 has no label
    for high, low in ((0.7, 0.05), (0.5, 0.2), (0.8, 0.0)):
        t = ternary_mask(maps, labels, high, low)
        assert torch.equal(t.double(),
                           ternary_reference(maps, labels, high, low))
    bg = background_mask(maps, labels, thr=0.375)
    ref = ternary_reference(maps, labels, 0.375, 0.375)  # -1 iff A < thr
    expect = (ref == -1).double()
    expect[2] = 0
    assert torch.equal(bg.double(), expect)


def test_masks_carry_no_gradient():
    maps = torch.randn(2, 3, 4, 4, requires_grad=True)
    labels = torch.ones(2, 3)
    assert not ternary_mask(maps, labels).requires_grad
    assert not background_mask(maps, labels).requires_grad


def test_bad_shapes_and_thresholds():
    with pytest.raises(ValueError, match='labels must be'):
        ternary_mask(torch.zeros(2, 3, 4, 4), torch.zeros(2, 4))
    with pytest.raises(ValueError, match='low <= high'):
        ternary_mask(torch.zeros(1, 1, 2, 2), torch.ones(1, 1), 0.1, 0.5)


def minmax_reference(maps, labels, high, low):
    """T_A with ACoL's per-class min-max normalisation, per pixel, float64."""
    n, m, h, w = maps.shape
    out = torch.ones(n, 1, h, w, dtype=torch.float64)
    for i in range(n):
        classes = [c for c in range(m) if labels[i, c] > 0]
        if not classes:
            continue
        lo = {c: float(maps[i, c].min()) for c in classes}
        span = {c: max(float(maps[i, c].max()) - lo[c], 1e-5)
                for c in classes}
        for y, x in itertools.product(range(h), range(w)):
            a = max((float(maps[i, c, y, x]) - lo[c]) / span[c]
                    for c in classes)
            out[i, 0, y, x] = 0 if a >= high else (-1 if a < low else 1)
    return out


def test_minmax_mask_normalisation_against_reference():
    """mask_norm='minmax' (ACoL's erasing): negative scores count, each map
    spans [0, 1]; the default 'max' is the paper's (tested above)."""
    g = torch.Generator().manual_seed(2)
    maps = torch.randn(3, 4, 6, 5, generator=g) * 2 - 1
    labels = torch.tensor([[1., 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 0]])
    for high, low in ((0.6, 0.05), (0.7, 0.3)):
        t = ternary_mask(maps, labels, high, low, norm='minmax')
        assert torch.equal(t.double(),
                           minmax_reference(maps, labels, high, low))
    assert not torch.equal(ternary_mask(maps, labels, 0.6, 0.05, 'minmax'),
                           ternary_mask(maps, labels, 0.6, 0.05))
    with pytest.raises(ValueError, match='minmax'):
        ternary_mask(maps, labels, norm='softmax')


def test_quantile_low_against_numpy():
    """δl relative to each image: max(δl, q-quantile of its normalised A);
    T_A's background zone then holds about q of a warm map."""
    from seenet_mm.models.layers import quantile_low
    torch.manual_seed(0)
    maps = torch.rand(2, 3, 6, 7) + 0.5  # warm: positive everywhere
    labels = torch.tensor([[1., 0, 1], [0, 1, 0]])
    low = quantile_low(maps, labels, 0.05, 0.25)
    for n in range(2):
        att = np.stack([(maps[n, c] / maps[n, c].max()).numpy()
                        for c in range(3) if labels[n, c] > 0]).max(0)
        want = max(0.05, float(np.quantile(att.astype(np.float64), 0.25)))
        assert low[n].item() == pytest.approx(want, abs=1e-5)
    tern = ternary_mask(maps, labels, 0.7, 0.05)
    assert (tern == -1).float().mean() == 0  # the paper's δl: empty zone
    tern = ternary_mask(maps, labels, 0.7, low)
    share = (tern == -1).float().mean(dim=(1, 2, 3))
    # torch interpolates the quantile: one pixel more than q at most
    assert ((share > 0.2) & (share <= 0.25 + 1 / 42)).all()
    with pytest.raises(ValueError, match='quantile must be in'):
        quantile_low(maps, labels, 0.05, 1.5)


def test_clip_minmax_is_max_unless_every_cell_is_positive():
    from seenet_mm.models.layers import normalize_maps
    maps = torch.tensor([[[[-1.0, 2.0], [0.5, 4.0]]],  # a cell <= 0
                         [[[1.0, 2.0], [3.0, 5.0]]]])  # every cell > 0
    clip = normalize_maps(maps, 'clip-minmax')
    assert torch.allclose(clip[0], normalize_maps(maps[:1], 'max')[0])
    # the second map: (m - 1) / (5 - 1), where max gives m / 5
    assert torch.allclose(clip[1, 0], torch.tensor([[0.0, 0.25],
                                                    [0.5, 1.0]]))
    assert not torch.allclose(clip[1], normalize_maps(maps[1:], 'max')[0])
