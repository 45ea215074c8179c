"""Seed and label quality on hand-made maps with known IoU."""
import numpy as np
import pytest

from seenet_mm.evaluation.seeds import (LabelEvaluator, SeedEvaluator,
                                        confusion, scores_from_confusion)


def test_seed_sweep_hand_made():
    # 1 x 4 image: GT = [bg, bg, cat(8), cat(8)]
    gt = np.array([[0, 0, 8, 8]], np.uint8)
    att = np.array([[[0.1, 0.5, 0.5, 0.9]]], np.float32)
    ev = SeedEvaluator([0.3, 0.5, 0.7])
    ev.add(att, [8], gt)
    res = ev.results()
    # t=0.3: pred [bg, cat, cat, cat]: bg IoU 1/2, cat IoU 2/3
    # t=0.5: pred [bg, bg, bg, cat] (ties -> background): bg 2/3, cat 1/2
    # t=0.7: same as 0.5
    expect = [(0.5 + 2 / 3) / 2 * 100, (2 / 3 + 0.5) / 2 * 100,
              (2 / 3 + 0.5) / 2 * 100]
    assert res['mIoU_per_threshold'] == pytest.approx(expect)
    assert res['best_threshold'] == 0.3 and res['best_at_edge']
    best = res['best']
    assert best['IoU'][8] == pytest.approx(200 / 3)
    assert best['precision'][8] == pytest.approx(200 / 3)
    assert best['recall'][8] == pytest.approx(100)
    assert best['background_spread'] == pytest.approx(50)


def test_seed_argmax_over_classes_and_ignore():
    gt = np.array([[3, 3, 7, 255]], np.uint8)
    att = np.array([[[0.9, 0.2, 0.1, 0.9]], [[0.1, 0.8, 0.95, 0.9]]],
                   np.float32)
    ev = SeedEvaluator([0.5])
    ev.add(att, [3, 7], gt)
    res = ev.results()['best']
    # pred [3, 7, 7, (ignored)]: class 3 IoU 1/2, class 7 IoU 1/2
    assert res['IoU'][3] == pytest.approx(50)
    assert res['IoU'][7] == pytest.approx(50)
    assert np.isnan(res['IoU'][0])  # background absent in GT and pred
    assert res['mIoU'] == pytest.approx(50)


def test_label_evaluator_counts_ignored():
    gt = np.array([[0, 0, 5, 5, 255]], np.uint8)
    label = np.array([[0, 255, 5, 0, 5]], np.uint8)
    ev = LabelEvaluator()
    ev.add(label, gt)
    res = ev.results()
    assert res['ignored_fraction'] == pytest.approx(25)  # 1 of 4 counted
    # counted pixels: (0,0) (5,5) (5,0): bg IoU 1/2, class 5 IoU 1/2
    assert res['mIoU'] == pytest.approx(50)
    with pytest.raises(ValueError, match='differ in size'):
        ev.add(label[:, :3], gt)


def test_confusion_matches_loop():
    rng = np.random.default_rng(0)
    gt = rng.integers(0, 21, (30, 40)).astype(np.uint8)
    gt[rng.random(gt.shape) < 0.1] = 255
    pred = rng.integers(0, 21, (30, 40)).astype(np.uint8)
    conf = confusion(pred, gt)
    ref = np.zeros((21, 21), np.int64)
    for g, p in zip(gt.ravel(), pred.ravel()):
        if g != 255:
            ref[g, p] += 1
    assert np.array_equal(conf, ref)
    scores = scores_from_confusion(conf)
    iou = scores['IoU']
    c = 4
    assert iou[c] == pytest.approx(
        100 * ref[c, c] / (ref[c].sum() + ref[:, c].sum() - ref[c, c]))
    # the false positives' share of class c's errors, counted pixel by
    # pixel: predicted c where the truth is another class, against the
    # truth c predicted as another class
    fp = sum(1 for g, p in zip(gt.ravel(), pred.ravel())
             if g != 255 and p == c and g != c)
    fn = sum(1 for g, p in zip(gt.ravel(), pred.ravel())
             if g == c and p != c)
    assert scores['fp_share'][c] == pytest.approx(100 * fp / (fp + fn))


def test_attention_seed_metric_equals_offline_evaluator():
    import torch
    import torch.nn.functional as F
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from seenet_mm.models import fuse_attention, normalize_maps
    from seenet_mm.evaluation import AttentionSeedMetric
    rng = np.random.default_rng(3)
    metric = AttentionSeedMetric(thresholds=[0.2, 0.4, 0.6])
    offline = SeedEvaluator([0.2, 0.4, 0.6])
    samples = []
    for _ in range(3):
        ds = SegDataSample()
        labels = torch.zeros(20)
        labels[[2, 7]] = 1
        ds.gt_class_labels = labels
        ds.score_map_a = torch.randn(20, 4, 5)
        ds.score_map_b = torch.randn(20, 4, 5)
        ds.pred_attention = fuse_attention(
            [ds.score_map_a[None], ds.score_map_b[None]], labels[None])[0]
        gt = rng.choice([0, 3, 8, 255], size=(12, 15)).astype(np.int64)
        ds.gt_sem_seg = PixelData(data=torch.from_numpy(gt[None]))
        samples.append(ds.to_dict())
        idx = torch.tensor([2, 7])
        # the reference: normalise each map by hand, max over branches
        fused = torch.maximum(normalize_maps(ds.score_map_a[idx]),
                              normalize_maps(ds.score_map_b[idx]))
        up = F.interpolate(fused[None], size=(12, 15), mode='bilinear',
                           align_corners=False)[0].numpy()
        offline.add(up, [3, 8], gt.astype(np.uint8))
    metric.process(None, samples)
    res = metric.compute_metrics(metric.results)
    off = offline.results()
    assert res['mIoU'] == pytest.approx(off['best']['mIoU'])
    assert res['best_thr'] == off['best_threshold']


def test_label_evaluator_ignore_as_background_irn_protocol():
    """Ignoring the doubtful pixels flatters mIoU (100 here); with 255
    counted as background (IRN's protocol) the same labels score 58.3."""
    gt = np.array([[0, 0, 5, 5]], np.uint8)
    label = np.array([[0, 255, 5, 255]], np.uint8)
    ev = LabelEvaluator()
    ev.add(label, gt)
    res = ev.results()
    assert res['mIoU'] == pytest.approx(100.0)
    assert res['ignored_fraction'] == pytest.approx(50)
    # as background: [0, 0, 5, 0]: background IoU 2/3, class 5 IoU 1/2
    assert res['mIoU_ignore_as_background'] == pytest.approx(
        100 * (2 / 3 + 1 / 2) / 2)


def test_any_number_of_classes_and_bad_mask_values():
    """M = 3 (4 rows with the background); a mask value that is neither a
    class nor 255 is an error, not a count in the wrong cell."""
    gt = np.array([[0, 1, 3, 255]], np.uint8)
    att = np.array([[[0.1, 0.9, 0.2, 0.9]], [[0.0, 0.1, 0.8, 0.1]]],
                   np.float32)
    ev = SeedEvaluator([0.5], num_classes=4)
    ev.add(att, [1, 3], gt)
    assert ev.conf.shape == (1, 4, 4)
    assert np.trace(ev.conf[0]) == 3 and ev.conf[0].sum() == 3
    with pytest.raises(ValueError, match=r'values \[4\], neither a class '
                       r'\(0..3\) nor 255'):
        ev.add(att, [1, 3], np.array([[0, 1, 4, 255]], np.uint8))
    labels = LabelEvaluator(num_classes=4)
    labels.add(np.array([[0, 1, 3, 3]], np.uint8), gt)
    assert labels.results()['mIoU'] == pytest.approx(100.0)
    with pytest.raises(ValueError, match='the proxy label holds values'):
        labels.add(np.array([[0, 9, 3, 3]], np.uint8), gt)


def test_context_spread():
    """The share of context pixels (true background) labelled foreground:
    at the best threshold for seeds, class labels (not 255) for labels."""
    gt = np.array([[0, 0, 0, 1]], np.uint8)
    ctx = np.array([[True, True, False, True]])  # the last is an object
    att = np.array([[[0.9, 0.2, 0.1, 0.9]]], np.float32)
    ev = SeedEvaluator([0.1, 0.5])
    ev.add(att, [1], gt, ctx)
    res = ev.results()
    assert res['context_spread_per_threshold'] == [100.0, 50.0]
    assert res['best_threshold'] == 0.5 and res['context_spread'] == 50.0
    labels = LabelEvaluator()
    labels.add(np.array([[1, 255, 0, 1]], np.uint8), gt, ctx)
    assert labels.results()['context_spread'] == 50.0
    plain = LabelEvaluator()
    plain.add(np.array([[1, 255, 0, 1]], np.uint8), gt)
    assert 'context_spread' not in plain.results()


def _pxap_by_sorting(scores, fg):
    """PxAP as Choe et al. write it, by sorting (float64): precision and
    recall of ``score >= v`` at each distinct score, from the top."""
    scores = np.asarray(scores, np.float64).ravel()
    fg = np.asarray(fg, bool).ravel()
    ap, last_recall = 0.0, 0.0
    for v in sorted(set(scores.tolist()), reverse=True):
        kept = scores >= v
        precision = fg[kept].sum() / kept.sum()
        recall = fg[kept].sum() / fg.sum()
        ap += precision * (recall - last_recall)
        last_recall = recall
    return ap * 100


def test_pxap_against_a_sorted_reference():
    """PxAP from the evaluator's histograms equals the one computed by
    sorting the pixels, on maps whose scores lie on the bin edges; a
    perfect map scores 100, a flat one the foreground's share."""
    from seenet_mm.evaluation.seeds import PXAP_BINS, SeedEvaluator
    rng = np.random.default_rng(0)
    ev = SeedEvaluator([0.5], 3)
    all_scores, all_fg = [], []
    for _ in range(4):
        gt = rng.integers(0, 3, (12, 10)).astype(np.uint8)
        gt[0, :3] = 255  # ignored pixels count nowhere
        att = rng.integers(0, PXAP_BINS, (2, 12, 10)) / PXAP_BINS
        att[0][gt == 1] += 0.2  # an informative map
        att = np.clip(np.round(att * PXAP_BINS) / PXAP_BINS, 0, 0.999)
        ev.add(att.astype(np.float64), [1, 2], gt)
        keep = gt != 255
        all_scores.append(att.max(0)[keep])
        all_fg.append(gt[keep] > 0)
    expected = _pxap_by_sorting(np.concatenate(all_scores),
                                np.concatenate(all_fg))
    assert ev.results()['pxap'] == pytest.approx(expected, abs=1e-9)
    perfect = SeedEvaluator([0.5], 2)
    gt = np.array([[0, 1], [1, 0]], np.uint8)
    perfect.add(gt[None].astype(np.float32), [1], gt)
    assert perfect.results()['pxap'] == pytest.approx(100.0)
    flat = SeedEvaluator([0.5], 2)
    flat.add(np.full((1, 2, 2), 0.3, np.float32), [1],
             np.array([[0, 1], [0, 0]], np.uint8))
    assert flat.results()['pxap'] == pytest.approx(25.0)
