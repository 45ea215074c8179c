"""Dense CRF: reference behaviour and sharpening of a blurred prediction."""
import numpy as np
import pytest

from seenet_mm.crf import crf_available, dense_crf
from seenet_mm.toy import ToyConfig, make_sample

pytestmark = pytest.mark.skipif(not crf_available(),
                                reason='pydensecrf2 is not installed')


def one_hot(label, c):
    return (np.arange(c)[:, None, None] == label[None]).astype(np.float32)


def iou(a, b, cls):
    inter = ((a == cls) & (b == cls)).sum()
    union = ((a == cls) | (b == cls)).sum()
    return inter / union


def test_without_pairwise_terms_crf_returns_the_unary():
    rng = np.random.default_rng(0)
    probs = rng.random((3, 20, 30)).astype(np.float32)
    probs /= probs.sum(0, keepdims=True)
    img = rng.integers(0, 255, (20, 30, 3)).astype(np.uint8)
    q = dense_crf(img, probs, bi_w=0, pos_w=0, iterations=5)
    # mean field with no pairwise term: Q = softmax(-U) = probs
    assert np.allclose(q, probs, atol=1e-4)


def test_crf_pulls_a_bleeding_toy_prediction_back_to_the_objects():
    """Objects dilated by 5 px into the background (as a stride-8 network
    predicts), 60 % confident: the CRF with DeepLab's parameters moves the
    boundaries back to the colour edges."""
    import cv2
    gains = []
    for i in range(8):
        s = make_sample(i, ToyConfig())
        gt = s['seg'].copy()
        gt[gt == 255] = 0
        classes = sorted(set(np.unique(gt).tolist()))
        lut = np.array(classes)
        idx = np.searchsorted(lut, gt)
        pred = idx.copy()
        for k in range(1, len(classes)):
            grown = cv2.dilate((idx == k).astype(np.uint8),
                               np.ones((11, 11), np.uint8)).astype(bool)
            pred[grown & (pred == 0)] = k
        probs = 0.6 * one_hot(pred, len(classes)) + 0.4 / len(classes)
        before = lut[probs.argmax(0)]
        after = lut[dense_crf(s['image'], probs).argmax(0)]
        fg = [c for c in classes if c]
        gains.append(np.mean([iou(after, gt, c) - iou(before, gt, c)
                              for c in fg]))
    assert np.mean(gains) > 0.02, gains
    assert sum(g > 0 for g in gains) >= 6, gains


def test_size_mismatch():
    with pytest.raises(ValueError, match='differ in size'):
        dense_crf(np.zeros((4, 4, 3), np.uint8),
                  np.full((2, 5, 5), 0.5, np.float32))


def test_proxy_label_with_crf():
    from seenet_mm.apis import proxy_label
    rng = np.random.default_rng(1)
    D = rng.random((30, 40)).astype(np.float32)
    A = rng.random((2, 30, 40)).astype(np.float32)
    img = rng.integers(0, 255, (30, 40, 3)).astype(np.uint8)
    plain = proxy_label(D, A, [4, 9])
    # no pairwise term: the CRF keeps the argmax of the normalised Q
    unary_only = proxy_label(D, A, [4, 9], crf_image=img,
                             crf_params=dict(bi_w=0, pos_w=0))
    assert np.array_equal(plain, unary_only)
    smoothed = proxy_label(D, A, [4, 9], crf_image=img)
    assert set(np.unique(smoothed)) <= {0, 4, 9}
    # the smoothness kernel removes isolated pixels: fewer label changes
    changes = lambda m: (m[:, 1:] != m[:, :-1]).sum()
    assert changes(smoothed) < changes(plain)


def test_make_proxy_labels_crf_option(tmp_path):
    import subprocess
    import sys
    from conftest import REPO
    from seenet_mm.apis import save_attention
    from seenet_mm.fileio import load_label_png
    from PIL import Image
    s = make_sample(0, ToyConfig())
    for sub in ('att', 'sal', 'img'):
        (tmp_path / sub).mkdir()
    classes = sorted({c for c, _ in s['objects']})
    att = np.stack([(s['seg'] == c).astype(np.float32) * 0.9
                    for c in classes])
    save_attention(str(tmp_path / 'att' / 'a.npz'), classes, att)
    Image.fromarray(s['saliency']).save(tmp_path / 'sal' / 'a.png')
    Image.fromarray(s['image']).save(tmp_path / 'img' / 'a.jpg')
    base = [sys.executable, 'tools/make_proxy_labels.py', '--attention-dir',
            str(tmp_path / 'att'), '--saliency-dir', str(tmp_path / 'sal')]
    proc = subprocess.run(base + ['--out-dir', str(tmp_path / 'o'), '--crf'],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode != 0 and '--crf needs --image-dir' in proc.stderr
    proc = subprocess.run(base + ['--out-dir', str(tmp_path / 'o'), '--crf',
                                  '--image-dir', str(tmp_path / 'img')],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    label = load_label_png(str(tmp_path / 'o' / 'a.png'))
    assert set(np.unique(label)) <= {0, *classes}


@pytest.mark.slow
def test_make_proxy_labels_crf_workers_give_the_same_labels(tmp_path):
    """--crf-workers 2 (a pool) and 1 (in the main process) write the same
    label PNGs; a worker count below 1 is an error naming the option."""
    import subprocess
    import sys
    from conftest import REPO
    from seenet_mm.apis import save_attention
    from PIL import Image
    for sub in ('att', 'sal', 'img'):
        (tmp_path / sub).mkdir()
    names = []
    for i in range(4):
        s = make_sample(i, ToyConfig())
        classes = sorted({c for c, _ in s['objects']})
        att = np.stack([(s['seg'] == c).astype(np.float32) * 0.9
                        for c in classes])
        save_attention(str(tmp_path / 'att' / f'{i}.npz'), classes, att)
        Image.fromarray(s['saliency']).save(tmp_path / 'sal' / f'{i}.png')
        Image.fromarray(s['image']).save(tmp_path / 'img' / f'{i}.jpg')
        names.append(f'{i}.png')
    base = [sys.executable, 'tools/make_proxy_labels.py', '--attention-dir',
            str(tmp_path / 'att'), '--saliency-dir', str(tmp_path / 'sal'),
            '--crf', '--image-dir', str(tmp_path / 'img')]
    for n in (1, 2):
        proc = subprocess.run(base + ['--out-dir', str(tmp_path / f'o{n}'),
                                      '--crf-workers', str(n)],
                              cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    for name in names:
        one = (tmp_path / 'o1' / name).read_bytes()
        assert one == (tmp_path / 'o2' / name).read_bytes(), name
    proc = subprocess.run(base + ['--out-dir', str(tmp_path / 'o0'),
                                  '--crf-workers', '0'],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode != 0
    assert '--crf-workers must be an integer >= 1, got 0' in proc.stderr


def test_crf_from_labels_equals_the_crf_of_irn_style_unaries():
    """IRN's label CRF: 0.7 on the given label, the rest shared evenly (as
    pydensecrf's unary_from_labels without unsure pixels), built here by a
    loop and refined by dense_crf directly."""
    from seenet_mm.crf import IRN_LABEL_CRF, crf_from_labels
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, (12, 15))
    img = rng.integers(0, 255, (12, 15, 3)).astype(np.uint8)
    probs = np.empty((3, 12, 15), np.float32)
    for c in range(3):
        probs[c] = np.where(labels == c, 0.7, 0.15)
    want = dense_crf(img, probs, **IRN_LABEL_CRF).argmax(0)
    assert np.array_equal(crf_from_labels(img, labels, 3), want)
    # with no pairwise term the labels come back unchanged
    assert np.array_equal(crf_from_labels(
        img, labels, 3, params=dict(bi_w=0, pos_w=0, iterations=3)), labels)


def _toy_crf_inputs(n, c=3):
    rng = np.random.default_rng(2)
    images, probs = [], []
    for i in range(n):
        h, w = 20 + i, 30 - i  # sizes differ, as in VOC
        images.append(rng.integers(0, 255, (h, w, 3)).astype(np.uint8))
        p = rng.random((c, h, w)).astype(np.float32)
        probs.append(p / p.sum(0, keepdims=True))
    return images, probs


def test_crf_pool_of_two_workers_equals_one_process():
    from seenet_mm.crf import CRFPool, crf_labels
    images, probs = _toy_crf_inputs(5)
    params = dict(iterations=5)
    serial = [crf_labels(i, p, params) for i, p in zip(images, probs)]
    with CRFPool(2, params) as pool:
        parallel = pool.labels(images, probs)
        assert pool._executor is not None  # the CRFs ran in workers
    with CRFPool(1, params) as pool:
        in_process = pool.labels(images, probs)
        assert pool._executor is None
    for a, b, c in zip(serial, parallel, in_process):
        assert a.dtype == b.dtype == c.dtype == np.int64
        assert np.array_equal(a, b) and np.array_equal(a, c)


def test_crf_pool_errors():
    from seenet_mm.crf import CRFPool, check_workers
    with pytest.raises(ValueError, match='--crf-workers must be an integer '
                       '>= 1, got 0'):
        check_workers(0, '--crf-workers')
    with pytest.raises(ValueError, match='crf_workers must be'):
        CRFPool(0)
    bad = (np.zeros((4, 4, 3), np.uint8), np.full((2, 5, 5), 0.5, np.float32))
    for workers in (1, 2):  # a worker's error comes back from result()
        with CRFPool(workers) as pool:
            future = pool.submit(*bad)
            with pytest.raises(ValueError, match='differ in size'):
                future.result()
    with pytest.raises(ValueError, match='2 images and 1 probability'):
        CRFPool(1).labels([bad[0]] * 2, [bad[1]])
