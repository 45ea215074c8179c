"""tools/eval_seeds.py on a context toy set: the context spread of seeds
and proxy labels, and the zones of the stored maps, against counts made
here from the same files."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from conftest import run_tool
from seenet_mm.apis import save_attention
from seenet_mm.attention_codec import load_attention
from seenet_mm.fileio import load_label_png, save_label_png
from seenet_mm.toy import ToyConfig, generate_toy_dataset


def test_context_spread_and_stored_zones(tmp_path):
    voc = generate_toy_dataset(str(tmp_path / 'toy'), ToyConfig(
        num_images=6, val_fraction=0.34, context=True), progress=False)
    att_dir, lab_dir = str(tmp_path / 'att'), str(tmp_path / 'lab')
    os.makedirs(att_dir)
    os.makedirs(lab_dir)
    names = sorted(f[:-4] for f in os.listdir(osp.join(voc, 'JPEGImages')))
    ctx_total = bg_zone_hit = true_bg = 0
    for name in names:
        gt = load_label_png(osp.join(voc, 'SegmentationClass', name + '.png'))
        ctx = load_label_png(osp.join(voc, 'context', name + '.png')) > 0
        ids = sorted(set(np.unique(gt).tolist()) - {0, 255})
        # maps: 0.9 on the objects and on the context, 0.02 elsewhere
        att = np.where((gt > 0) | ctx, 0.9, 0.02).astype(np.float32)
        save_attention(osp.join(att_dir, name + '.npz'), ids,
                       np.stack([att] * len(ids)))
        # labels: the first class on the context, the masks elsewhere
        label = gt.copy()
        label[ctx & (gt == 0)] = ids[0]
        save_label_png(osp.join(lab_dir, name + '.png'), label)
        c = ctx & (gt == 0)
        ctx_total += c.sum()
        _, stored = load_attention(osp.join(att_dir, name + '.npz'))
        bg_zone_hit += ((stored.max(0) < 0.05) & (gt == 0)).sum()
        true_bg += (gt == 0).sum()
    out = str(tmp_path / 'q.json')
    run_tool(['tools/eval_seeds.py', '--attention-dir', att_dir,
              '--label-dir', lab_dir, '--gt-dir',
              osp.join(voc, 'SegmentationClass'), '--context-dir',
              osp.join(voc, 'context'), '--thresholds', '0.5', '--out',
              out])
    q = json.load(open(out))
    assert ctx_total > 0
    # every context pixel is above 0.5: all of them are foreground
    assert q['seeds']['context_spread'] == 100.0
    assert q['labels']['context_spread'] == 100.0
    assert abs(q['zones']['bg_recall'] - 100 * bg_zone_hit / true_bg) < 1e-6
    assert q['zones']['bg_precision'] == 100.0


def test_oracle_thresholds_are_the_best_seed_threshold_plus_minus_010(
        tmp_path):
    """Maps at 0.65 on each class's own pixels and 0.1 elsewhere: the sweep
    [0.5] gives t* = 0.5, so the oracle's foreground threshold 0.60 keeps
    every object, while auto's (Otsu's split plus half the rest, above
    0.65) keeps none of them."""
    voc = generate_toy_dataset(str(tmp_path / 'toy'), ToyConfig(
        num_images=4, val_fraction=0.25), progress=False)
    att_dir = str(tmp_path / 'att')
    os.makedirs(att_dir)
    for f in sorted(os.listdir(osp.join(voc, 'JPEGImages'))):
        name = f[:-4]
        gt = load_label_png(osp.join(voc, 'SegmentationClass', name + '.png'))
        ids = sorted(set(np.unique(gt).tolist()) - {0, 255})
        save_attention(osp.join(att_dir, name + '.npz'), ids, np.stack(
            [np.where(gt == i, 0.65, 0.1) for i in ids]).astype(np.float32))
    out = str(tmp_path / 'q.json')
    run_tool(['tools/eval_seeds.py', '--attention-dir', att_dir, '--gt-dir',
              osp.join(voc, 'SegmentationClass'), '--thresholds', '0.5',
              '--oracle', '--out', out])
    oracle = json.load(open(out))['oracle']
    assert (oracle['best_threshold'], oracle['fg_thr']) == (0.5, 0.6)
    assert abs(oracle['bg_thr'] - 0.4) < 1e-9
    assert oracle['mIoU_ignore_as_background'] == 100.0
    assert oracle['auto_mIoU_ignore_as_background'] < 60.0
    proc = run_tool(['tools/eval_seeds.py', '--label-dir', att_dir,
                     '--gt-dir', voc, '--oracle'], check=False)
    assert proc.returncode != 0 and '--oracle needs --attention-dir' in \
        proc.stdout + proc.stderr


def two_kinds_of_maps(tmp_path):
    """Four 8x8 images, one square object each: a and b (the tuning split)
    with the object at 0.9 on a 0.5 background, c and d at 0.5 on 0.2.
    Returns the attention folder, the mask folder and the tuning split."""
    att_dir, gt_dir = tmp_path / 'att', tmp_path / 'gt'
    att_dir.mkdir()
    gt_dir.mkdir()
    gt = np.zeros((8, 8), np.uint8)
    gt[2:6, 2:6] = 1
    for name, (obj, bg) in (('a', (0.9, 0.5)), ('b', (0.9, 0.5)),
                            ('c', (0.5, 0.2)), ('d', (0.5, 0.2))):
        att = np.where(gt == 1, obj, bg).astype(np.float32)[None]
        save_attention(osp.join(att_dir, name + '.npz'), [1], att)
        save_label_png(osp.join(gt_dir, name + '.png'), gt)
    split = tmp_path / 'tune.txt'
    split.write_text('a\nb\n')
    return att_dir, gt_dir, split


def test_threshold_tuned_on_one_split_scored_on_the_other(tmp_path):
    """--tune-split: the threshold best on the tuning images, scored on
    the others at that threshold, beside their own best (the oracle).
    The tuning images' objects peak at 0.9 on a 0.5 background, the
    others' at 0.5 on a 0.2 background: the tuned threshold (best 0.5 +)
    misses every object of the report split, whose own best is lower."""
    from seenet_mm.apis import evaluate_seeds
    att_dir, gt_dir, split = two_kinds_of_maps(tmp_path)
    report = evaluate_seeds(str(gt_dir), attention_dir=str(att_dir),
                            thresholds=[0.1, 0.3, 0.6], classes=None,
                            tune_split=str(split), out=str(tmp_path / 'q'))
    tuned = report['tuned']
    assert tuned['threshold'] == 0.6  # above 0.5: the tuning images' best
    assert (tuned['tune_images'], tuned['report_images']) == (2, 2)
    # all background: IoU 48/64 for the background, 0 for the class
    assert tuned['mIoU'] == pytest.approx(37.5)
    assert tuned['oracle_threshold'] == 0.3
    assert tuned['oracle_mIoU'] == pytest.approx(100.0)
    # the whole set's figures stay those without a tuning split
    plain = evaluate_seeds(str(gt_dir), attention_dir=str(att_dir),
                           thresholds=[0.1, 0.3, 0.6],
                           out=str(tmp_path / 'p'))
    assert plain['seeds'] == report['seeds'] and 'tuned' not in plain
    split.write_text('\n'.join(['a', 'b', 'c', 'd']) + '\n')
    with pytest.raises(ValueError, match='report split 0'):
        evaluate_seeds(str(gt_dir), attention_dir=str(att_dir),
                       tune_split=str(split), out=str(tmp_path / 'r'))


def test_tuning_split_is_fixed_by_the_names():
    from seenet_mm.apis.image_list import TUNE_SHARE, tune_names
    names = [f'img_{i:05d}' for i in range(2000)]
    tune = tune_names(names)
    assert tune == tune_names(list(reversed(names)))[::-1]
    assert tune_names(names) == tune
    assert abs(len(tune) / len(names) - 1 / TUNE_SHARE) < 0.03
    assert set(tune_names(names[:1000])) == set(tune) & set(names[:1000])


def test_oracle_thresholds_tuned_on_the_tuning_split(tmp_path):
    """With --oracle and --tune-split, the confident seeds' thresholds come
    from the tuning split's best threshold and are scored on the others."""
    from seenet_mm.apis import evaluate_seeds
    from seenet_mm.apis.quality import ORACLE_MARGIN
    att_dir, gt_dir, split = two_kinds_of_maps(tmp_path)
    report = evaluate_seeds(str(gt_dir), attention_dir=str(att_dir),
                            thresholds=[0.1, 0.3, 0.6], oracle=True,
                            tune_split=str(split), out=str(tmp_path / 'q'))
    tuned = report['oracle_tuned']
    assert tuned['best_threshold'] == report['tuned']['threshold'] == 0.6
    assert tuned['fg_thr'] == pytest.approx(0.6 + ORACLE_MARGIN)
    assert tuned['bg_thr'] == pytest.approx(0.6 - ORACLE_MARGIN)
    # on c and d (objects at 0.5) nothing reaches 0.7: no confident class
    assert tuned['mIoU_ignore_as_background'] < \
        report['oracle']['mIoU_ignore_as_background']
