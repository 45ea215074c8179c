"""tools/eval_seeds.py on a context toy set: the context spread of seeds
and proxy labels, and the zones of the stored maps, against counts made
here from the same files."""
import json
import os
import os.path as osp

import numpy as np

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
