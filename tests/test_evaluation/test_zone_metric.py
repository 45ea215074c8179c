"""Zone diagnostics: T_A's background and erased zones against the ground
truth, checked against counts made pixel by pixel."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from seenet_mm.evaluation import ZoneMetric, zone_counts, zone_scores


def loop_scores(pairs):
    """Recall and precision by plain loops over (ternary, gt) pairs."""
    n = dict(bg_hit=0, bg_zone=0, bg=0, er_hit=0, er_zone=0, obj=0)
    for tern, gt in pairs:
        for t, g in zip(tern.ravel().tolist(), gt.ravel().tolist()):
            if g == 255:
                continue
            n['bg'] += g == 0
            n['obj'] += g != 0
            n['bg_zone'] += t == -1
            n['er_zone'] += t == 0
            n['bg_hit'] += t == -1 and g == 0
            n['er_hit'] += t == 0 and g != 0
    return dict(bg_recall=100 * n['bg_hit'] / n['bg'],
                bg_precision=100 * n['bg_hit'] / n['bg_zone'],
                erased_recall=100 * n['er_hit'] / n['obj'],
                erased_precision=100 * n['er_hit'] / n['er_zone'])


def test_zone_scores_hand_made_and_random():
    tern = np.array([[-1, -1, 1, 0], [-1, 1, 0, 0]])
    gt = np.array([[0, 0, 0, 3], [255, 2, 2, 0]])
    got = zone_scores(zone_counts(tern, gt))
    # background: 4 true pixels (one ignored), 2 of them in the zone of 2
    assert got['bg_recall'] == pytest.approx(50.0)
    assert got['bg_precision'] == pytest.approx(100.0)
    # objects: 3 pixels, 2 in the erased zone of 3
    assert got['erased_recall'] == pytest.approx(200 / 3)
    assert got['erased_precision'] == pytest.approx(200 / 3)
    rng = np.random.default_rng(0)
    pairs = [(rng.integers(-1, 2, (9, 11)),
              rng.choice([0, 0, 1, 4, 255], (9, 11))) for _ in range(3)]
    got = zone_scores(sum(zone_counts(t, g) for t, g in pairs))
    for key, value in loop_scores(pairs).items():
        assert got[key] == pytest.approx(value)
    empty = zone_scores(zone_counts(np.ones((2, 2)), np.zeros((2, 2))))
    assert np.isnan(empty['bg_precision']) and empty['bg_recall'] == 0


def test_zone_metric_resizes_t_a_to_the_mask():
    metric = ZoneMetric()
    sample = SegDataSample()
    sample.gt_sem_seg = PixelData(data=torch.tensor(
        [[0, 0, 1, 1], [0, 0, 1, 1]])[None])
    sample.pred_ternary = torch.tensor([[[-1, 0]]], dtype=torch.float32)
    no_mask = SegDataSample()
    no_mask.pred_ternary = sample.pred_ternary
    metric.process(None, [sample.to_dict(), no_mask.to_dict()])
    out = metric.compute_metrics(metric.results)
    assert out['bg_recall'] == out['bg_precision'] == 100.0
    assert out['erased_recall'] == out['erased_precision'] == 100.0
    assert out['bg_zone'] == 50.0
    assert ZoneMetric().compute_metrics([]) == {}


def test_context_pixels_per_zone_from_the_sibling_context_folder(tmp_path):
    """With context masks beside the images (toy --context sets), the
    metric gives the share of the context pixels in each zone, counted
    here pixel by pixel; images without a context mask are left out of
    those shares, and a set without the folder gives none."""
    from seenet_mm.fileio import save_label_png
    root = tmp_path / 'VOC2012'
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'context').mkdir()
    rng = np.random.default_rng(1)
    samples, expected = [], np.zeros(3)
    for i in range(3):
        gt = rng.choice([0, 0, 2], (6, 8))
        tern = rng.integers(-1, 2, (6, 8))
        sample = SegDataSample(metainfo=dict(
            img_path=str(root / 'JPEGImages' / f'im{i}.jpg')))
        sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt)[None])
        sample.pred_ternary = torch.from_numpy(tern)[None].float()
        samples.append(sample.to_dict())
        if i == 2:
            continue  # no context mask for this image
        ctx = rng.random((6, 8)) < 0.4
        save_label_png(str(root / 'context' / f'im{i}.png'),
                       ctx.astype(np.uint8))
        for t, c in zip(tern.ravel().tolist(), ctx.ravel().tolist()):
            if c:
                expected[{-1: 0, 1: 1, 0: 2}[t]] += 1
    metric = ZoneMetric()
    metric.process(None, samples)
    out = metric.compute_metrics(metric.results)
    expected = 100 * expected / expected.sum()
    assert out['context_in_bg'] == pytest.approx(expected[0])
    assert out['context_in_potential'] == pytest.approx(expected[1])
    assert out['context_in_erased'] == pytest.approx(expected[2])
    # the same as without context for the zone scores
    plain = ZoneMetric(context_dir=str(tmp_path / 'nowhere'))
    plain.process(None, samples)
    got = plain.compute_metrics(plain.results)
    assert not any(k.startswith('context') for k in got)
    assert got == {k: v for k, v in out.items()
                   if not k.startswith('context')}
