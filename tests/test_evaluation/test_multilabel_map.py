"""MultiLabelMAP and average_precision against a reference by thresholds."""
import numpy as np
import pytest
import torch
from mmengine.structures import BaseDataElement

from seenet_mm.evaluation import MultiLabelMAP, average_precision


def ap_reference(scores, targets):
    """AP by thresholds: at each positive's score, precision of the items
    scored at least that high (ties count against)."""
    pos = [s for s, t in zip(scores, targets) if t]
    precisions = []
    for s in pos:
        above = [t for s2, t in zip(scores, targets) if s2 >= s]
        precisions.append(sum(above) / len(above))
    return sum(precisions) / len(pos)


def test_average_precision_against_reference():
    rng = np.random.default_rng(0)
    for _ in range(30):
        n = int(rng.integers(2, 40))
        scores = rng.integers(0, 6, n) / 5.0  # many ties
        targets = rng.random(n) < 0.4
        if not targets.any():
            targets[0] = True
        assert average_precision(scores, targets) == pytest.approx(
            ap_reference(scores.tolist(), targets.tolist()))
    assert average_precision([0.9, 0.1], [1, 0]) == 1.0
    assert np.isnan(average_precision([0.2, 0.1], [0, 0]))


def test_multilabel_map_metric_skips_classes_without_positives():
    rng = np.random.default_rng(1)
    scores = rng.random((12, 4))
    targets = (rng.random((12, 4)) < 0.5).astype(np.float32)
    targets[:, 3] = 0  # no positive image: left out of the mean
    targets[0, :3] = 1
    metric = MultiLabelMAP()
    metric.dataset_meta = dict(classes=('a', 'b', 'c', 'd'))
    samples = []
    for i in range(12):
        ds = BaseDataElement(pred_class_scores=torch.tensor(scores[i]),
                             gt_class_labels=torch.tensor(targets[i]))
        # the evaluator hands over dicts; data elements work too
        samples.append(ds.to_dict() if i % 2 else ds)
    metric.process(None, samples)
    res = metric.compute_metrics(metric.results)
    aps = [ap_reference(scores[:, c].tolist(), targets[:, c].tolist())
           for c in range(3)]
    assert res['mAP'] == pytest.approx(100 * np.mean(aps))
    assert res['AP_b'] == pytest.approx(100 * aps[1])
    assert 'AP_d' not in res
    # through the registry, with mmengine's prefix
    from mmengine.evaluator import Evaluator
    ev = Evaluator([dict(type='mmseg.MultiLabelMAP')])
    ev.dataset_meta = dict(classes=('a', 'b', 'c', 'd'))
    ev.process([BaseDataElement(pred_class_scores=torch.tensor(scores[i]),
                                gt_class_labels=torch.tensor(targets[i]))
                for i in range(12)])
    assert ev.evaluate(12)['cls/mAP'] == pytest.approx(res['mAP'])
