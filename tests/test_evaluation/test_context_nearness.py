"""Cue or nearness: distances and per-band counts against loops."""
import numpy as np
import pytest

from seenet_mm.evaluation import NearnessCounter, object_distance


def test_distance_is_the_exact_euclidean_one():
    rng = np.random.default_rng(0)
    gt = np.zeros((17, 23), np.uint8)
    gt[rng.random(gt.shape) < 0.03] = 2
    gt[3, 4] = 255  # ignored pixels are not objects
    dist = object_distance(gt)
    ys, xs = np.nonzero((gt > 0) & (gt < 255))
    for y in range(17):
        for x in range(23):
            want = np.sqrt(((ys - y) ** 2 + (xs - x) ** 2).min())
            assert dist[y, x] == pytest.approx(want, abs=1e-3)
    assert np.isinf(object_distance(np.zeros((3, 3), np.uint8))).all()


def test_counts_per_band_and_group_equal_a_loop():
    rng = np.random.default_rng(1)
    h, w = 30, 40
    gt = np.zeros((h, w), np.uint8)
    gt[10:18, 12:20] = 3
    gt[0, :5] = 255
    context = np.zeros((h, w), bool)
    context[10:18, 20:26] = True  # a band beside the object
    context[12, 14] = True  # on the object: not background, not counted
    ternary = rng.choice([-1, 0, 1], size=(h, w)).astype(np.float32)
    m_a, m_b = rng.random((h, w)), rng.random((h, w))
    counter = NearnessCounter(bands=((1, 4.5), (4.5, 9)))
    counter.add(gt, context, ternary, m_a, m_b)
    rows = counter.results()
    dist = object_distance(gt)
    for row in rows:
        lo, hi = row['band']
        pix = [(y, x) for y in range(h) for x in range(w)
               if gt[y, x] == 0 and lo <= dist[y, x] < hi
               and context[y, x] == (row['group'] == 'context')]
        assert row['pixels'] == len(pix) > 0
        assert row['bg_zone'] == pytest.approx(
            100 * sum(ternary[p] == -1 for p in pix) / len(pix))
        assert row['erased_zone'] == pytest.approx(
            100 * sum(ternary[p] == 0 for p in pix) / len(pix))
        assert row['mean_M_A'] == pytest.approx(np.mean([m_a[p] for p in pix]))
        assert row['mean_M_B'] == pytest.approx(np.mean([m_b[p] for p in pix]))
        assert row['bg_zone'] + row['erased_zone'] + row['potential_zone'] \
            == pytest.approx(100)
    # without M_B, and an empty group
    # bands that meet leave no distance out: every background pixel up to
    # the last edge counts once
    edges = NearnessCounter(bands=((1, 2.5), (2.5, 40)))
    edges.add(gt, context, ternary, m_a, m_b)
    assert sum(r['pixels'] for r in edges.results()) == int(
        ((gt == 0) & (dist >= 1) & (dist < 40)).sum())
    counter = NearnessCounter(bands=((30, 32), ))
    counter.add(gt, context, ternary, m_a)
    assert counter.results()[0] == dict(
        band=[30, 32], group='context', pixels=0, bg_zone=None,
        potential_zone=None, erased_zone=None, mean_M_A=None, mean_M_B=None)
    with pytest.raises(ValueError, match='M_A'):
        counter.add(gt, context, ternary, m_a[:5])
