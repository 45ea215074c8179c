"""infer_attention -> make_proxy_labels -> eval_seeds on the tiny toy set:
file formats, resumability, 1 vs 2 processes, transforms = offline tool,
clear errors with nothing half-written."""
import os
import os.path as osp
import shutil
import socket
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import run_tool
from seenet_mm.apis import load_attention, proxy_label
from seenet_mm.attention_codec import ATTENTION_LEVELS, ATTENTION_VERSION
from seenet_mm.fileio import load_label_png, load_saliency


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


@pytest.fixture(scope='module')
def attention_dir(tiny_seenet, tmp_path_factory):
    config, ckpt, voc = tiny_seenet
    out = str(tmp_path_factory.mktemp('att'))
    proc = run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir',
                     out, '--split', osp.join(voc, 'ImageSets',
                                              'Segmentation', 'val.txt'),
                     '--batch-size', '4'])
    assert '6 images in the split, 0 done before' in proc.stdout
    return out


def test_npz_format(attention_dir, tiny_seenet):
    _, _, voc = tiny_seenet
    names = sorted(f[:-4] for f in os.listdir(attention_dir)
                   if f.endswith('.npz'))
    assert len(names) == 6
    for name in names:
        path = osp.join(attention_dir, name + '.npz')
        with np.load(path) as data:
            assert int(data['version']) == ATTENTION_VERSION
            assert data['attention_delta'].dtype == np.uint8
            assert tuple(data['ori_shape']) == \
                data['attention_delta'].shape[1:]
        classes, att = load_attention(path)
        img = Image.open(osp.join(voc, 'JPEGImages', name + '.jpg'))
        assert att.shape[1:] == (img.size[1], img.size[0])
        gt = np.array(Image.open(osp.join(voc, 'SegmentationClass',
                                          name + '.png')))
        assert sorted(classes.tolist()) == sorted(
            set(np.unique(gt).tolist()) - {0, 255})
        assert att.min() >= 0 and att.max() <= 1
        # min-max normalisation: each class map reaches 1 at feature
        # resolution; the bilinear resize to the image samples between the
        # feature cells and can miss a sharp peak by a little (0.984 on an
        # H100, where this 2-iteration model's maps came out peakier)
        assert np.allclose(att.reshape(len(classes), -1).max(1), 1,
                           atol=0.05)
    assert not [f for f in os.listdir(attention_dir) if f.endswith('.tmp')]


def test_resumable(attention_dir, tiny_seenet, tmp_path):
    config, ckpt, voc = tiny_seenet
    out = str(tmp_path / 'att')
    shutil.copytree(attention_dir, out)
    stamps = {f: os.stat(osp.join(out, f)).st_mtime_ns
              for f in os.listdir(out) if f.endswith('.npz')}
    stamps['classes.json'] = os.stat(osp.join(out, 'classes.json')
                                     ).st_mtime_ns
    victim = sorted(f for f in stamps if f.endswith('.npz'))[0]
    os.remove(osp.join(out, victim))
    split = osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt')
    proc = run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir',
                     out, '--split', split, '--batch-size', '4'])
    assert '6 images in the split, 5 done before' in proc.stdout
    for f, stamp in stamps.items():
        if f != victim:
            assert os.stat(osp.join(out, f)).st_mtime_ns == stamp
    a = load_attention(osp.join(out, victim))[1]
    b = load_attention(osp.join(attention_dir, victim))[1]
    assert np.array_equal(a, b)
    proc = run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir',
                     out, '--split', split])
    assert '6 done before' in proc.stdout


def test_two_processes_equal_one(attention_dir, tiny_seenet, tmp_path):
    config, ckpt, voc = tiny_seenet
    split = osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt')
    two, one = str(tmp_path / 'two'), str(tmp_path / 'one')
    # torchrun gives each process one thread; compare at equal threads
    run_tool(['bash', 'tools/dist_infer_attention.sh', config, ckpt, '2',
              '--out-dir', two, '--batch-size', '4', '--split', split],
             env=dict(PORT=free_port(), PYTHON=sys.executable))
    run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir', one,
              '--batch-size', '4', '--split', split],
             env=dict(OMP_NUM_THREADS='1'))
    files = sorted(f for f in os.listdir(attention_dir) if f.endswith('.npz'))
    assert sorted(os.listdir(two)) == sorted(os.listdir(one)) == sorted(
        files + ['classes.json'])
    for f in files:
        ca, a = load_attention(osp.join(two, f))
        cb, b = load_attention(osp.join(one, f))
        assert np.array_equal(ca, cb) and np.array_equal(a, b), f
        # another thread count: at most one stored level on a few pixels
        _, c = load_attention(osp.join(attention_dir, f))
        assert np.abs(a - c).max() <= 1 / ATTENTION_LEVELS + 1e-6
        assert (a != c).mean() < 1e-3


def test_proxy_labels_tool_transforms_and_eval(attention_dir, tiny_seenet,
                                               tmp_path):
    _, _, voc = tiny_seenet
    sal_dir = osp.join(voc, 'saliency')
    out = str(tmp_path / 'labels')
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--saliency-dir', sal_dir, '--out-dir',
                     out, '--workers', '2'])
    assert '6 written' in proc.stdout
    from mmseg.registry import TRANSFORMS
    from mmcv.transforms import Compose
    pipeline = Compose([TRANSFORMS.build(t) for t in (
        dict(type='LoadImageFromFile'),
        dict(type='LoadSaliencyMap', saliency_dir=sal_dir),
        dict(type='LoadAttentionMaps', attention_dir=attention_dir),
        dict(type='GenerateProxyLabel'))])
    for f in os.listdir(attention_dir):
        if not f.endswith('.npz'):
            continue
        name = f[:-4]
        offline = load_label_png(osp.join(out, name + '.png'))
        classes, att = load_attention(osp.join(attention_dir, f))
        sal, _ = load_saliency(osp.join(sal_dir, name + '.png'))
        assert np.array_equal(offline, proxy_label(sal, att, classes))
        results = pipeline(dict(img_path=osp.join(voc, 'JPEGImages',
                                                  name + '.jpg')))
        assert np.array_equal(results['gt_seg_map'], offline)
        assert 'gt_seg_map' in results['seg_fields']
        assert Image.open(osp.join(out, name + '.png')).mode == 'P'
    # rerun: nothing to do
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--saliency-dir', sal_dir, '--out-dir',
                     out])
    assert '6 labelled before' in proc.stdout and '0 written' in proc.stdout
    # quality tool runs on both and writes JSON
    json_out = str(tmp_path / 'q.json')
    proc = run_tool(['tools/eval_seeds.py', '--attention-dir', attention_dir,
                     '--gt-dir', osp.join(voc, 'SegmentationClass'),
                     '--label-dir', out, '--out', json_out])
    assert 'seed mIoU' in proc.stdout and 'proxy-label mIoU' in proc.stdout
    assert osp.isfile(json_out)


def test_missing_and_resized_saliency(attention_dir, tiny_seenet, tmp_path):
    _, _, voc = tiny_seenet
    sal_dir = str(tmp_path / 'sal')
    shutil.copytree(osp.join(voc, 'saliency'), sal_dir)
    names = sorted(f[:-4] for f in os.listdir(attention_dir)
                   if f.endswith('.npz'))
    os.remove(osp.join(sal_dir, names[0] + '.png'))
    small = Image.open(osp.join(sal_dir, names[1] + '.png'))
    small.resize((small.size[0] // 2, small.size[1] // 2)).save(
        osp.join(sal_dir, names[1] + '.png'))
    out = str(tmp_path / 'labels')
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--saliency-dir', sal_dir, '--out-dir',
                     out, '--workers', '1'], check=False)
    assert proc.returncode != 0
    assert f'saliency map not found: {sal_dir}/{names[0]}.png' in \
        proc.stderr
    assert not osp.exists(osp.join(out, names[0] + '.png'))
    assert not [f for f in os.listdir(out) if f.startswith('.')]
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--saliency-dir', sal_dir, '--out-dir',
                     out, '--skip-missing'])
    assert '1 skipped for missing files' in proc.stdout
    assert '1 with a resized saliency map' in proc.stdout
    assert f'{names[0]}.png' in proc.stdout  # the warning names it


def test_bad_attention_files(tmp_path):
    bad = str(tmp_path / 'a.npz')
    np.savez(bad, classes=np.array([3]), maps=np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match=r"a\.npz: missing keys \['attention"):
        load_attention(bad)
    np.savez(bad, classes=np.array([3, 4]), attention=np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match='K = 2 classes'):
        load_attention(bad)
    np.savez(bad, classes=np.array([3]), attention=np.full((1, 2, 2), 2.0))
    with pytest.raises(ValueError, match=r'in \[0, 1\]'):
        load_attention(bad)
    with open(bad, 'wb') as f:
        f.write(b'not a zip')
    with pytest.raises(ValueError, match='not a readable attention file'):
        load_attention(bad)
    with pytest.raises(FileNotFoundError, match='b.npz'):
        load_attention(str(tmp_path / 'b.npz'))


def test_checkpoint_of_another_model(tiny_seenet, tmp_path):
    config, _, voc = tiny_seenet
    import torch
    other = str(tmp_path / 'other.pth')
    torch.save({'state_dict': {'conv.weight': torch.zeros(1)}}, other)
    proc = run_tool(['tools/infer_attention.py', config, other, '--out-dir',
                     str(tmp_path / 'o')], check=False)
    assert proc.returncode != 0
    assert f'checkpoint {other} does not fit the model' in proc.stderr
    assert not os.listdir(tmp_path / 'o')


@pytest.mark.parametrize('fault,message', [
    ('missing', 'error: image not found: '),
    ('corrupt', 'not a readable image (corrupt?)'),
    ('unknown_class', "unknown VOC class name 'unicorn'"),
    ('no_label', 'has no class label'),
])
def test_bad_images_and_annotations(tiny_seenet, tmp_path, fault, message):
    config, ckpt, voc = tiny_seenet
    root = str(tmp_path / 'VOC2012')
    shutil.copytree(voc, root, ignore=shutil.ignore_patterns('saliency'))
    split = osp.join(root, 'ImageSets', 'Segmentation', 'val.txt')
    name = open(split).read().split()[2]
    jpg = osp.join(root, 'JPEGImages', name + '.jpg')
    xml = osp.join(root, 'Annotations', name + '.xml')
    if fault == 'missing':
        os.remove(jpg)
    elif fault == 'corrupt':
        with open(jpg, 'wb') as f:
            f.write(b'\xff\xd8\xff\xe0 truncated')
    elif fault == 'unknown_class':
        text = open(xml).read()
        first = text.split('<name>')[1].split('</name>')[0]
        open(xml, 'w').write(text.replace(f'<name>{first}</name>',
                                          '<name>unicorn</name>', 1))
    else:
        text = open(xml).read()
        open(xml, 'w').write(text.split('<object>')[0] + '</annotation>')
    out = str(tmp_path / 'att')
    proc = run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir',
                     out, '--split', split, '--data-root', root,
                     '--batch-size', '1'], check=False)
    assert proc.returncode == 1
    assert message in proc.stderr and 'Traceback' not in proc.stderr
    if fault in ('missing', 'corrupt'):
        assert name in proc.stderr
    if osp.isdir(out):
        assert not osp.exists(osp.join(out, name + '.npz'))
        assert not [f for f in os.listdir(out) if f.startswith('.')]


def test_saliency_free_labels_and_class_lists(attention_dir, tiny_seenet,
                                              tmp_path):
    """--method threshold needs no saliency folder and equals
    threshold_proxy_label; infer_attention records the dataset's classes,
    make_proxy_labels passes them on, eval_seeds names them."""
    import json
    from seenet_mm.apis import threshold_proxy_label
    _, _, voc = tiny_seenet
    classes = json.load(open(osp.join(attention_dir,
                                      'classes.json')))['classes']
    assert len(classes) == 20 and classes[0] == 'aeroplane'  # VOC's list
    out = str(tmp_path / 'labels')
    # the tiny SeeNet's maps are warm: IRN's background threshold finds no
    # confident background, which is one error before anything is written
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--out-dir', out, '--fg-thr', '0.4'],
                    check=False)
    assert proc.returncode != 0
    assert 'cannot teach anything: background 0.0% of the pixels' \
        in proc.stderr
    assert 'per-pixel peaks' in proc.stderr and 'try --fg-thr auto' \
        in proc.stderr
    assert not osp.exists(out)
    # auto (the default) takes each image's thresholds from its maps
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--out-dir', out])
    assert 'without saliency maps (--method threshold)' in proc.stdout
    assert '6 written' in proc.stdout
    assert json.load(open(osp.join(out, 'classes.json')))['classes'] == \
        classes
    ignored = 0
    for f in os.listdir(attention_dir):
        if f.endswith('.npz'):
            ids, att = load_attention(osp.join(attention_dir, f))
            label = load_label_png(osp.join(out, f[:-4] + '.png'))
            assert np.array_equal(label, threshold_proxy_label(
                att, ids, fg_thr='auto', bg_thr='auto'))
            ignored += (label == 255).sum()
    assert ignored > 0
    proc = run_tool(['tools/eval_seeds.py', '--label-dir', out, '--gt-dir',
                     osp.join(voc, 'SegmentationClass'), '--out',
                     str(tmp_path / 'q.json')])
    report = json.load(open(tmp_path / 'q.json'))
    assert report['classes'] == classes
    assert report['labels']['ignored_fraction'] > 0
    assert report['labels']['mIoU_ignore_as_background'] is not None
    proc = run_tool(['tools/make_proxy_labels.py', '--attention-dir',
                     attention_dir, '--out-dir', out, '--method',
                     'saliency'], check=False)
    assert proc.returncode != 0 and 'needs --saliency-dir' in proc.stderr


def test_gallery_tool(attention_dir, tiny_seenet, tmp_path):
    """tools/make_gallery.py: one row per image with an attention file (at
    most --num), each a PNG of the six panels, and an index naming them."""
    config, ckpt, voc = tiny_seenet
    out = str(tmp_path / 'gallery')
    proc = run_tool(['tools/make_gallery.py', config, ckpt,
                     '--attention-dir', attention_dir, '--data-root', voc,
                     '--split', osp.join(voc, 'ImageSets', 'Segmentation',
                                         'val.txt'),
                     '--num', '2', '--out-dir', out])
    assert f'gallery of 2 images: {osp.join(out, "index.md")}' in proc.stdout
    rows = sorted(f for f in os.listdir(out) if f.endswith('.png'))
    assert len(rows) == 2
    index = open(osp.join(out, 'index.md')).read()
    assert all(row in index for row in rows)
    width, height = Image.open(osp.join(out, rows[0])).size
    assert width > 5 * height  # six panels side by side
