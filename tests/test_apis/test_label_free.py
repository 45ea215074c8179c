"""Label-free maps: the classes the classifier predicts, its threshold
chosen on a tuning split's image labels (best micro F1), an image without a
predicted class written empty; and the main job's --label-free."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from seenet_mm.apis.maps import _maps, label_f1, predicted_labels


def test_label_f1_counts_classes_over_images():
    # tp 3, fp 1 (class 3 of image 1), fn 1 (class 2 of image 2)
    assert label_f1([[1, 3], [1], [2]], [[1], [1, 2], [2]]) == \
        pytest.approx(200 * 3 / (6 + 1 + 1))
    assert label_f1([[]], [[1]]) == 0.0


class _Scores:
    """An inferencer whose class probabilities are given per image."""

    def __init__(self, table):
        self.table = table

    def class_scores(self, images):
        return np.stack([self.table[int(img[0, 0, 0])] for img in images])

    def __call__(self, images, classes):
        return [np.full((len(ids), *img.shape[:2]), 0.5, np.float32)
                for img, ids in zip(images, classes)]


def test_threshold_chosen_on_the_tuning_images(tmp_path, monkeypatch):
    # image i's probabilities of classes 1 and 2; true labels beside
    table = {0: [0.9, 0.3], 1: [0.35, 0.8], 2: [0.2, 0.1], 3: [0.6, 0.6]}
    truth = {0: [1], 1: [1, 2], 2: [], 3: [1]}
    infos = [dict(img_id=f'i{k}', img_path=str(k), gt_class_ids=truth[k])
             for k in table]
    monkeypatch.setattr('seenet_mm.apis.maps.read_image',
                        lambda path: np.full((2, 3, 3), int(path), np.uint8))
    tune = tmp_path / 'tune.txt'
    tune.write_text('i0\ni1\n')
    out = tmp_path / 'maps'
    os.makedirs(out)
    predicted = predicted_labels(_Scores(table), infos, 2, None, str(tune),
                                 ['a', 'b'], str(out))
    # on i0 and i1 only 0.35 of the grid labels both exactly
    assert predicted['i0'] == [1] and predicted['i1'] == [1, 2]
    saved = json.load(open(out / 'predicted_labels.json'))
    assert saved['threshold'] == 0.35
    assert predicted['i2'] == [] and saved['empty'] == 1
    assert predicted['i3'] == [1, 2]
    assert saved['f1'] == pytest.approx(label_f1(
        [predicted[f'i{k}'] for k in range(4)], [truth[k] for k in range(4)]))
    given = predicted_labels(_Scores(table), infos, 4, 0.7, None, ['a', 'b'],
                             None)
    assert given == {'i0': [1], 'i1': [2], 'i2': [], 'i3': []}


def test_an_image_without_a_class_gets_empty_maps():
    images = [np.zeros((4, 5, 3), np.uint8), np.zeros((2, 3, 3), np.uint8)]
    maps = _maps(_Scores({}), images, [[2], []])
    assert maps[0].shape == (1, 4, 5) and maps[1].shape == (0, 2, 3)


def test_infer_attention_needs_a_threshold_or_a_tuning_split():
    from seenet_mm.apis import infer_attention
    with pytest.raises(ValueError, match='--label-threshold T or '
                       '--tune-split'):
        infer_attention('c.py', 'k.pth', 'o', labels='predicted')
    with pytest.raises(ValueError, match='labels must be one of'):
        infer_attention('c.py', 'k.pth', 'o', labels='guessed')


def test_main_job_label_free_stages(tmp_path):
    from seenet_mm.pipeline.context import Context
    from seenet_mm.pipeline.stages import get_stage, tune_split_file
    names = [f'n{i:03d}' for i in range(30)]
    split = tmp_path / 'train.txt'
    split.write_text('\n'.join(names) + '\n')
    work = str(tmp_path / 'work')
    os.makedirs(work)
    ctx = Context(work_dir=work, out_dir=work, data_dir=str(tmp_path),
                  data_root=str(tmp_path), saliency_dir=str(tmp_path / 's'),
                  attention_config='a.py', segmentation_config='s.py',
                  quality_split=str(split), label_free=True)
    done = dict(attention=dict(checkpoint='/ck.pth'))
    maps = get_stage('maps')
    maps.prepare(ctx)  # the tuning split exists before the maps
    assert osp.isfile(tune_split_file(ctx))
    plain, free = (step.kwargs for step in maps.commands(ctx, done))
    assert 'labels' not in plain
    assert free['out_dir'] == ctx.path('maps_label_free')
    assert free['labels'] == 'predicted'
    assert free['tune_split'] == tune_split_file(ctx)
    quality = get_stage('quality')
    quality.prepare(ctx)
    _, scored = quality.commands(ctx, done)
    assert scored.kwargs['attention_dir'] == ctx.path('maps_label_free')
    os.makedirs(ctx.path('maps_label_free'))
    json.dump(dict(f1=90.0, threshold=0.3),
              open(ctx.path('maps_label_free', 'predicted_labels.json'), 'w'))
    json.dump(dict(seeds=dict(pxap=70.0, best=dict(mIoU=55.0)),
                   tuned=dict(mIoU=54.0)),
              open(ctx.path('quality_label_free.json'), 'w'))
    json.dump(dict(seeds=dict(best=dict(mIoU=60.0), best_threshold=0.5,
                              best_at_edge=False),
                   labels=dict(mIoU=80.0, background_spread=1.0)),
              open(ctx.path('quality.json'), 'w'))
    metrics = quality.metrics(ctx)
    assert metrics['seed mIoU (label-free)'] == 54.0
    assert metrics['seed PxAP (label-free)'] == 70.0
    assert metrics['label-free label F1'] == 90.0
    assert ctx.settings()['label_free'] is True
