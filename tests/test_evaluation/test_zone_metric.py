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
