"""tools/refine_labels.py end to end on the tiny toy set: confident seeds,
a 2-iteration affinity network trained by tools/train.py, refined labels
in the proxy-label format that are the same for 1 and 2 workers and after
a resume, and one clear error for each kind of bad input."""
import json
import os
import os.path as osp

import numpy as np
import pytest

from seenet_mm.attention_codec import load_attention, save_attention
from seenet_mm.fileio import load_label_png, save_label_png

from conftest import REPO, run_tool

TOY_CONFIG = osp.join(REPO, 'configs', 'toy',
                      'irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py')


@pytest.fixture(scope='module')
def refine_inputs(tiny_seenet, tmp_path_factory):
    """Attention maps of the 6 val images, their confident seeds and a
    tiny affinity network trained 2 iterations on them: a dict of paths."""
    config, ckpt, voc = tiny_seenet
    work = tmp_path_factory.mktemp('refine')
    att = str(work / 'att')
    run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir', att,
              '--split', osp.join(voc, 'ImageSets', 'Segmentation',
                                  'val.txt'), '--batch-size', '4'])
    seeds = str(work / 'seeds')
    run_tool(['tools/make_proxy_labels.py', '--attention-dir', att,
              '--out-dir', seeds])
    aff_config = str(work / 'tiny_irn.py')
    with open(aff_config, 'w') as f:
        f.write(f"""_base_ = [{TOY_CONFIG!r}]
data_root = {voc!r}
model = dict(backbone=dict(widen_factor=0.125, init_cfg=None),
             head=dict(in_channels=(8, 16, 32, 64, 64), channels=8),
             test_cfg=dict(steps=8))
train_dataloader = dict(batch_size=2, dataset=dict(
    data_root=data_root, ann_file='ImageSets/Segmentation/val.txt',
    data_prefix=dict(seg_map_path={seeds!r})))
max_iters = 2
param_scheduler = [dict(type='PolyLR', power=0.9, by_epoch=False, end=2)]
train_cfg = dict(max_iters=2, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=2))
""")
    run_tool(['tools/train.py', aff_config, '--work-dir',
              str(work / 'aff')])
    return dict(config=aff_config, ckpt=str(work / 'aff' / 'iter_2.pth'),
                att=att, seeds=seeds, images=osp.join(voc, 'JPEGImages'),
                attention=tiny_seenet,
                saliency=osp.join(voc, 'saliency'), voc=voc, work=work)


def refine(inp, out, *extra, check=True, att=None):
    return run_tool(['tools/refine_labels.py', inp['config'], inp['ckpt'],
                     '--attention-dir', att or inp['att'], '--image-dir',
                     inp['images'], '--out-dir', out, *extra], check=check)


def test_labels_maps_workers_and_resume(refine_inputs, tmp_path):
    inp = refine_inputs
    one, two = str(tmp_path / 'one'), str(tmp_path / 'two')
    proc = refine(inp, one, '--workers', '1', '--maps-out',
                  str(tmp_path / 'maps'), '--seed-dir', inp['seeds'],
                  '--boundary-out', str(tmp_path / 'boundary'))
    assert '6 images, 0 refined before' in proc.stdout
    assert '8 steps' in proc.stdout  # the config's model.test_cfg
    refine(inp, two, '--workers', '2', '--seed-dir', inp['seeds'])
    names = sorted(f[:-4] for f in os.listdir(inp['att'])
                   if f.endswith('.npz'))
    assert len(names) == 6
    for name in names:
        ids, att = load_attention(osp.join(inp['att'], name + '.npz'))
        label = load_label_png(osp.join(one, name + '.png'))
        assert label.shape == att.shape[1:]  # the image's own size
        assert set(np.unique(label)) <= {0, *ids.tolist()}  # no 255 left
        assert np.array_equal(label, load_label_png(
            osp.join(two, name + '.png')))
        seeds = load_label_png(osp.join(inp['seeds'], name + '.png'))
        kept = seeds != 255
        assert np.array_equal(label[kept], seeds[kept])
        boundary = load_label_png(osp.join(str(tmp_path / 'boundary'),
                                           name + '.png'))
        assert boundary.shape == att.shape[1:]
        ids2, maps = load_attention(osp.join(str(tmp_path / 'maps'),
                                             name + '.npz'))
        assert np.array_equal(ids, ids2) and maps.shape == att.shape
        assert maps.min() >= 0 and maps.max() <= 1
    assert json.load(open(osp.join(one, 'classes.json')))['classes'][0] \
        == 'aeroplane'
    # a killed run: one label gone; the rerun writes only it, identically
    before = load_label_png(osp.join(one, names[2] + '.png'))
    os.remove(osp.join(one, names[2] + '.png'))
    proc = refine(inp, one, '--workers', '1', '--maps-out',
                  str(tmp_path / 'maps'), '--seed-dir', inp['seeds'],
                  '--boundary-out', str(tmp_path / 'boundary'))
    assert '6 images, 5 refined before' in proc.stdout
    assert np.array_equal(before,
                          load_label_png(osp.join(one, names[2] + '.png')))
    # the scores of the walked maps come from tools/eval_seeds.py
    run_tool(['tools/eval_seeds.py', '--attention-dir',
              str(tmp_path / 'maps'), '--gt-dir',
              osp.join(inp['voc'], 'SegmentationClass'), '--out',
              str(tmp_path / 'q.json')])
    assert json.load(open(tmp_path / 'q.json'))['seeds']['best']['mIoU'] > 0
    # the gallery shows the refined labels and the boundary maps
    config, ckpt, voc = inp['attention']
    gallery = str(tmp_path / 'gallery')
    run_tool(['tools/make_gallery.py', config, ckpt, '--attention-dir',
              inp['att'], '--label-dir', inp['seeds'], '--refined-dir', one,
              '--boundary-dir', str(tmp_path / 'boundary'), '--split',
              osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt'),
              '--out-dir', gallery])
    assert 'ground truth | refined label | boundary map' in open(
        osp.join(gallery, 'index.md')).read()
    from PIL import Image
    row = Image.open(osp.join(gallery, names[0] + '.png'))
    plain = str(tmp_path / 'gallery_plain')
    run_tool(['tools/make_gallery.py', config, ckpt, '--attention-dir',
              inp['att'], '--split',
              osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt'),
              '--out-dir', plain])
    # two more panels of the image's width
    assert row.size[0] > Image.open(osp.join(plain, names[0] + '.png')).size[0]


def test_on_top_of_algorithm_1(refine_inputs, tmp_path):
    """With saliency the walked attention and saliency are labelled by
    Algorithm 1: no 255, only background and the image's classes."""
    inp = refine_inputs
    out = str(tmp_path / 'sal')
    proc = refine(inp, out, '--saliency-dir', inp['saliency'])
    assert 'Algorithm 1 on the walked maps' in proc.stdout
    for f in os.listdir(inp['att']):
        if f.endswith('.npz'):
            ids, _ = load_attention(osp.join(inp['att'], f))
            label = load_label_png(osp.join(out, f[:-4] + '.png'))
            assert set(np.unique(label)) <= {0, *ids.tolist()}


def bad_attention(inp, tmp_path, fault):
    att = str(tmp_path / f'att_{fault}')
    os.makedirs(att)
    for f in sorted(os.listdir(inp['att'])):
        src = osp.join(inp['att'], f)
        if not f.endswith('.npz'):
            continue
        ids, maps = load_attention(src)
        if fault == 'size':
            maps = maps[:, :-3]
        save_attention(osp.join(att, f), ids, maps)
        if fault == 'size':
            break
    return att


@pytest.mark.parametrize('extra, message', [
    (['--steps', '0'], 'steps must be >= 1'),
    (['--beta', '-1'], 'beta must be > 0'),
    (['--radius', '1'], 'radius must be at least 2'),
    (['--bg-score', '1.5'], 'bg_score must be auto or in [0, 1)'),
    (['--bg-thr', 'warm'], 'expected a number or auto'),
    (['--seed-dir', '/no/such/dir'], '--seed-dir: /no/such/dir is not'),
])
def test_bad_settings(refine_inputs, tmp_path, extra, message):
    out = str(tmp_path / 'out')
    proc = refine(refine_inputs, out, *extra, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert not osp.exists(out)


def test_bad_files(refine_inputs, tmp_path):
    inp = refine_inputs
    # a map whose size is not its image's
    att = bad_attention(inp, tmp_path, 'size')
    proc = refine(inp, str(tmp_path / 'a'), att=att, check=False)
    assert proc.returncode != 0 and 'differs from its attention' \
        in proc.stderr
    # seed values that are not the image's classes
    seeds = str(tmp_path / 'seeds')
    os.makedirs(seeds)
    for f in os.listdir(inp['seeds']):
        if f.endswith('.png'):
            label = load_label_png(osp.join(inp['seeds'], f)).copy()
            label[0, 0] = 77
            save_label_png(osp.join(seeds, f), label)
    proc = refine(inp, str(tmp_path / 'b'), '--seed-dir', seeds,
                  check=False)
    assert proc.returncode != 0 and 'values [77] are neither' in proc.stderr
    # a missing image: an error, or skipped with --skip-missing
    names = sorted(f[:-4] for f in os.listdir(inp['att'])
                   if f.endswith('.npz'))
    images = str(tmp_path / 'img')
    os.makedirs(images)
    for f in os.listdir(inp['images']):
        if not f.startswith(names[0] + '.'):
            os.symlink(osp.join(inp['images'], f), osp.join(images, f))
    args = ['tools/refine_labels.py', inp['config'], inp['ckpt'],
            '--attention-dir', inp['att'], '--image-dir', images,
            '--out-dir', str(tmp_path / 'c')]
    proc = run_tool(args, check=False)
    assert proc.returncode != 0 and names[0] in proc.stderr
    proc = run_tool(args + ['--skip-missing'])
    assert '5 written, 1 skipped for missing files' in proc.stdout
    # a checkpoint of another model
    proc = run_tool(['tools/refine_labels.py', inp['config'],
                     osp.join(inp['work'], 'nothing.pth'), '--attention-dir',
                     inp['att'], '--image-dir', inp['images'], '--out-dir',
                     str(tmp_path / 'd')], check=False)
    assert proc.returncode != 0 and 'checkpoint not found' in proc.stderr


def test_psa_feature_affinity_refines_too(refine_inputs, tmp_path):
    """PSA's affinity network (affinity='feature') trains with
    tools/train.py and refines with the same tool: labels at the image's
    size, the confident seeds kept, no 255 left, an edge picture."""
    inp = refine_inputs
    psa = osp.join(REPO, 'configs', 'toy',
                   'psa_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py')
    config = str(tmp_path / 'tiny_psa.py')
    with open(config, 'w') as f:
        f.write(f"""_base_ = [{psa!r}]
data_root = {inp['voc']!r}
model = dict(backbone=dict(widen_factor=0.125, init_cfg=None),
             head=dict(in_channels=(32, 64, 64), channels=(8, 8, 8),
                       groups=(2, 2, 2)),
             test_cfg=dict(steps=8))
train_dataloader = dict(batch_size=2, dataset=dict(
    data_root=data_root, ann_file='ImageSets/Segmentation/val.txt',
    data_prefix=dict(seg_map_path={inp['seeds']!r})))
max_iters = 2
param_scheduler = [dict(type='PolyLR', power=0.9, by_epoch=False, end=2)]
train_cfg = dict(max_iters=2, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=2))
""")
    run_tool(['tools/train.py', config, '--work-dir', str(tmp_path / 'aff')])
    out = str(tmp_path / 'labels')
    run_tool(['tools/refine_labels.py', config,
              str(tmp_path / 'aff' / 'iter_2.pth'), '--attention-dir',
              inp['att'], '--image-dir', inp['images'], '--out-dir', out,
              '--seed-dir', inp['seeds'], '--boundary-out',
              str(tmp_path / 'edges')])
    for f in sorted(os.listdir(inp['att'])):
        if not f.endswith('.npz'):
            continue
        name = f[:-4]
        ids, att = load_attention(osp.join(inp['att'], f))
        label = load_label_png(osp.join(out, name + '.png'))
        assert label.shape == att.shape[1:]
        assert set(np.unique(label)) <= {0, *ids.tolist()}
        seeds = load_label_png(osp.join(inp['seeds'], name + '.png'))
        assert np.array_equal(label[seeds != 255], seeds[seeds != 255])
        assert load_label_png(osp.join(str(tmp_path / 'edges'),
                                       name + '.png')).shape == label.shape
