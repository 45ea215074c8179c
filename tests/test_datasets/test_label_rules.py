"""proxy_label against a per-pixel reference of Algorithm 1 (float64)."""
import numpy as np
import pytest

from seenet_mm.datasets.label_rules import proxy_label, proxy_label_reference


def algorithm1_reference(D, A, classes, w=1.0):
    """Per-pixel loop, written from the paper, float64."""
    return proxy_label_reference(D.astype(np.float64), A.astype(np.float64),
                                 classes, w)


@pytest.mark.parametrize('k', [1, 2, 3])
@pytest.mark.parametrize('w', [1.0, 0.5, 3.0])
def test_matches_reference_on_random_inputs(k, w):
    rng = np.random.default_rng(k * 10 + int(w * 2))
    D = rng.random((23, 31)).astype(np.float32)
    A = rng.random((k, 23, 31)).astype(np.float32)
    # zeros in A and D
    D[rng.random(D.shape) < 0.1] = 0
    A[rng.random(A.shape) < 0.1] = 0
    classes = sorted(rng.choice(np.arange(1, 21), k, replace=False).tolist())
    got = proxy_label(D, A, classes, w=w)
    ref = algorithm1_reference(D.astype(np.float64), A.astype(np.float64),
                               classes, w)
    # the float32 implementation agrees pixel for pixel with the float64
    # loop on these inputs
    assert np.array_equal(got, ref)
    assert set(np.unique(got)) <= {0, *classes}
    assert 255 not in got


def test_exact_ties_go_to_the_lower_index():
    # with w = 1 and A = D = 0.5: Q(c) = 0.5 = Q(0) = 1 - 0.5 -> background
    D = np.full((2, 2), 0.5, np.float32)
    A = np.full((2, 2, 2), 0.5, np.float32)
    assert (proxy_label(D, A, [3, 7]) == 0).all()
    # two classes with the same attention: the first listed wins
    D[:] = 0.9
    A[:] = 0.8
    assert (proxy_label(D, A, [7, 3]) == 7).all()
    assert (proxy_label(D, A, [3, 7]) == 3).all()


def test_zero_attention_or_saliency_is_background():
    D = np.array([[0.0, 1.0]], np.float32)
    A = np.array([[[1.0, 0.0]]], np.float32)
    assert proxy_label(D, A, [5]).tolist() == [[0, 0]]


def test_hand_computed_values():
    # D = 0.8, A = 0.6: Q0 = 0.2, Q = 2 / (1/0.6 + 1/0.8) = 0.6857 -> class
    # D = 0.3, A = 0.9: Q0 = 0.7, Q = 2 / (1/0.9 + 1/0.3) = 0.45 -> bg
    D = np.array([[0.8, 0.3]], np.float32)
    A = np.array([[[0.6, 0.9]]], np.float32)
    assert proxy_label(D, A, [12]).tolist() == [[12, 0]]


def test_ignore_rules():
    D = np.array([[0.9, 0.9, 0.05, 0.95]], np.float32)
    A = np.array([[[0.9, 0.9, 0.9, 0.0]], [[0.8, 0.1, 0.0, 0.0]]],
                 np.float32)
    plain = proxy_label(D, A, [1, 2])
    assert plain.tolist() == [[1, 1, 0, 0]]
    multi = proxy_label(D, A, [1, 2], ignore_multi_thr=0.7)
    assert multi.tolist() == [[255, 1, 0, 0]]
    conflict = proxy_label(D, A, [1, 2], ignore_conflict=(0.1, 0.9))
    # last pixel: background but salient (0.95 > 0.9)
    assert conflict.tolist() == [[1, 1, 0, 255]]


def test_bad_inputs():
    with pytest.raises(ValueError, match='share H, W'):
        proxy_label(np.zeros((3, 4)), np.zeros((1, 4, 3)), [1])
    with pytest.raises(ValueError, match='2 classes for 1'):
        proxy_label(np.zeros((3, 4)), np.zeros((1, 3, 4)), [1, 2])
    with pytest.raises(ValueError, match='1..254'):
        proxy_label(np.zeros((3, 4)), np.zeros((1, 3, 4)), [0])


def test_several_row_blocks_and_explicit_q():
    """Images larger than one processing block; and the label is the argmax
    (first on ties) of the explicit Q of harmonic_scores."""
    from seenet_mm.datasets.label_rules import harmonic_scores
    rng = np.random.default_rng(7)
    D = rng.random((97, 151)).astype(np.float32)
    A = rng.random((3, 97, 151)).astype(np.float32)
    D[:5] = 0  # whole rows without saliency
    A[1, 40:60] = 0
    classes = [2, 9, 17]
    got = proxy_label(D, A, classes)
    assert np.array_equal(got, algorithm1_reference(
        D.astype(np.float64), A.astype(np.float64), classes))
    q = harmonic_scores(D, A)
    lut = np.array([0] + classes, np.uint8)
    assert np.array_equal(got, lut[q.argmax(0)])
    from seenet_mm.datasets.label_rules import _algorithm1_labels
    small_blocks = _algorithm1_labels(D, A, np.array(classes), 1.0, block=7)
    assert np.array_equal(small_blocks, got)


# ----------------------------------------------------------------------
# saliency-free proxy labels (IRN's confident regions)
# ----------------------------------------------------------------------
def test_threshold_labels_match_the_per_pixel_reference():
    from seenet_mm.datasets.label_rules import (
        threshold_proxy_label, threshold_proxy_label_reference)
    rng = np.random.default_rng(3)
    att = (rng.random((3, 17, 23)) ** 2).astype(np.float32)
    att[:, :3] = np.float32(0.30)  # exactly at the thresholds: not above
    att[:, 3:5] = np.float32(0.05)
    for fg, bg in ((0.30, 0.05), (0.5, 0.2)):
        out = threshold_proxy_label(att, [2, 5, 9], fg, bg)
        ref = threshold_proxy_label_reference(att, [2, 5, 9], fg, bg)
        assert np.array_equal(out, ref)
    out = threshold_proxy_label(att, [2, 5, 9])
    assert set(np.unique(out)) <= {0, 2, 5, 9, 255}
    assert (out[:3] == 255).all() and (out[3:5] == 0).all()


def test_threshold_labels_hand_made():
    from seenet_mm.datasets.label_rules import threshold_proxy_label
    att = np.array([[[0.9, 0.2, 0.01, 0.4]],
                    [[0.1, 0.25, 0.02, 0.6]]], np.float32)
    assert threshold_proxy_label(att, [4, 7]).tolist() == [[4, 255, 0, 7]]
    assert threshold_proxy_label(np.zeros((0, 2, 2)), []).tolist() == \
        [[0, 0], [0, 0]]
    with pytest.raises(ValueError, match='bg_thr < fg_thr'):
        threshold_proxy_label(att, [4, 7], fg_thr=0.1, bg_thr=0.2)
    with pytest.raises(ValueError, match='3 classes for attention'):
        threshold_proxy_label(att, [4, 7, 8])


def test_generate_proxy_label_threshold_method():
    from seenet_mm.datasets import GenerateProxyLabel
    att = np.array([[[0.9, 0.2, 0.01]]], np.float32)
    out = GenerateProxyLabel(method='threshold')(dict(
        attention=att, attention_classes=np.array([3]), seg_fields=[]))
    assert out['gt_seg_map'].tolist() == [[3, 255, 0]]
    assert out['seg_fields'] == ['gt_seg_map']
    with pytest.raises(ValueError, match='method must be one of'):
        GenerateProxyLabel(method='otsu')


def test_otsu_and_auto_thresholds():
    from seenet_mm.datasets.label_rules import (auto_thresholds,
                                                otsu_threshold,
                                                threshold_proxy_label)
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(0.3, 0.05, 5000),
                             rng.normal(0.85, 0.03, 1000)])
    t = otsu_threshold(values)
    assert 0.4 < t < 0.75  # between the modes
    assert otsu_threshold(np.full(100, 0.7)) == 0.5  # nothing to split
    # warm background (peaks 0.3) and an object (0.9): the thresholds
    # follow the image's split, in the shares of the room above it
    att = np.full((1, 40, 50), 0.3, np.float32)
    att[0, 10:30, 10:30] = 0.9
    att += rng.normal(0, 0.01, att.shape).astype(np.float32)
    fg, bg = auto_thresholds(att)
    t = otsu_threshold(att.max(0))
    assert fg == pytest.approx(t + 0.5 * (1 - t))
    assert bg == pytest.approx(t - 0.25 * (1 - t))
    label = threshold_proxy_label(att, [3], 'auto', 'auto')
    assert np.array_equal(label, threshold_proxy_label(att, [3], fg, bg))
    assert (label[12:28, 12:28] == 3).all() and (label[:8] == 0).all()
    with pytest.raises(ValueError, match='both auto or both numbers'):
        threshold_proxy_label(att, [3], 'auto', 0.05)
    # no class: all background
    assert (threshold_proxy_label(np.zeros((0, 4, 4), np.float32), [],
                                  'auto', 'auto') == 0).all()


def test_labels_that_cannot_teach():
    from seenet_mm.datasets.label_rules import check_teaching, label_shares
    good = np.zeros((10, 10), np.uint8)
    good[2:5, 2:5] = 7
    good[6:, 6:] = 255
    shares = label_shares([good, good])
    assert shares['background'] == pytest.approx(0.75)
    assert shares['foreground'] == pytest.approx(0.09)
    assert shares['ignored'] == pytest.approx(0.16)
    assert shares['images_with_both'] == 2
    check_teaching(shares, 'good labels')
    warm = np.full((10, 10), 7, np.uint8)
    warm[0, :3] = 0
    with pytest.raises(ValueError, match=r'warm labels cannot teach '
                       r'anything: background 3\.0% of the pixels '
                       r'\(needs >= 5%\).*try this'):
        check_teaching(label_shares([warm]), 'warm labels', 'try this')
    cold = np.zeros((10, 10), np.uint8)
    with pytest.raises(ValueError, match=r'foreground 0\.0%.*no image with '
                       r'both'):
        check_teaching(label_shares([cold]), 'cold labels')
