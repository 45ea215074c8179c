"""The toy set: VOC layout, determinism, class statistics, atomic writes."""
import json
import os
import os.path as osp
from xml.etree import ElementTree as ET

import cv2
import numpy as np
import pytest
from PIL import Image

from seenet_mm.toy import (DEFAULT_CLASSES, VOC_CLASSES, ToyConfig,
                           generate_toy_dataset, make_sample, voc_palette)


def test_voc_palette_known_entries():
    pal = np.array(voc_palette()).reshape(256, 3)
    assert pal[1].tolist() == [128, 0, 0]  # aeroplane
    assert pal[15].tolist() == [192, 128, 128]  # person
    assert pal[255].tolist() == [224, 224, 192]  # ignore
    assert len({tuple(c) for c in pal[:21]}) == 21


def test_layout_and_contents(toy_root):
    voc = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    for sub in ('JPEGImages', 'Annotations', 'SegmentationClass', 'saliency',
                'ImageSets/Segmentation'):
        assert osp.isdir(osp.join(voc, sub)), sub
    split = lambda s: open(osp.join(voc, 'ImageSets', 'Segmentation',
                                    f'{s}.txt')).read().split()
    train, val, trainaug = split('train'), split('val'), split('trainaug')
    assert len(train) == 18 and len(val) == 6 and set(trainaug) == set(train)
    assert not set(train) & set(val)
    allowed_ids = {VOC_CLASSES.index(c) for c in DEFAULT_CLASSES}
    for name in train + val:
        img = Image.open(osp.join(voc, 'JPEGImages', f'{name}.jpg'))
        seg = Image.open(osp.join(voc, 'SegmentationClass', f'{name}.png'))
        sal = Image.open(osp.join(voc, 'saliency', f'{name}.png'))
        assert img.mode == 'RGB' and seg.mode == 'P' and sal.mode == 'L'
        assert img.size == seg.size == sal.size
        root = ET.parse(osp.join(voc, 'Annotations', f'{name}.xml')).getroot()
        names = {o.find('name').text for o in root.iter('object')}
        ids = {VOC_CLASSES.index(n) for n in names}
        assert names and ids <= allowed_ids
        values = set(np.unique(np.array(seg)).tolist())
        # pixel labels are exactly the XML's classes (+ background, edges)
        assert values - {0, 255} == ids
        assert int(root.find('size/width').text) == img.size[0]


def test_deterministic_by_seed():
    a, b = make_sample(5, ToyConfig(seed=3)), make_sample(5, ToyConfig(seed=3))
    c = make_sample(5, ToyConfig(seed=4))
    for key in ('image', 'seg', 'saliency'):
        assert np.array_equal(a[key], b[key])
    assert not np.array_equal(a['image'], c['image'])


def test_class_statistics_and_saliency_imitation():
    cfg = ToyConfig()
    samples = [make_sample(i, cfg) for i in range(150)]
    n_classes = [len({c for c, _ in s['objects']}) for s in samples]
    assert np.mean(np.array(n_classes) >= 2) >= 0.30
    seen = {VOC_CLASSES[c] for s in samples for c, _ in s['objects']}
    assert seen == set(DEFAULT_CLASSES)
    # saliency is high on objects, low on background, but not a copy of the
    # mask: blurred edges, missed parts and false positives occur
    fg_mean, bg_mean, misses, false_pos = [], [], 0, 0
    for s in samples:
        fg, sal = s['seg'] > 0, s['saliency'] / 255.0
        inner = fg & (s['seg'] != 255)
        fg_mean.append(sal[inner].mean())
        bg_mean.append(sal[s['seg'] == 0].mean())
        misses += (sal[inner] < 0.3).mean() > 0.02
        false_pos += (sal[s['seg'] == 0] > 0.3).mean() > 0.02
    assert np.mean(fg_mean) > 0.8 and np.mean(bg_mean) < 0.15
    assert 0.1 < misses / 150 < 0.5 and 0.1 < false_pos / 150 < 0.6


def test_500_images_quickly_and_rerun_is_kept(tmp_path):
    import time
    start = time.time()
    voc = generate_toy_dataset(str(tmp_path), ToyConfig(), progress=False)
    assert time.time() - start < 30
    assert len(os.listdir(osp.join(voc, 'JPEGImages'))) == 500
    stamp = os.stat(osp.join(voc, 'toy_meta.json')).st_mtime_ns
    assert generate_toy_dataset(str(tmp_path), ToyConfig(),
                                progress=False) == voc
    assert os.stat(osp.join(voc, 'toy_meta.json')).st_mtime_ns == stamp
    with pytest.raises(FileExistsError, match='--overwrite'):
        generate_toy_dataset(str(tmp_path), ToyConfig(seed=1), progress=False)
    meta = json.load(open(osp.join(voc, 'toy_meta.json')))
    assert meta['seed'] == 0 and meta['num_images'] == 500


def test_interrupted_generation_leaves_nothing(tmp_path, monkeypatch):
    from seenet_mm.toy import generator

    def boom(*args, **kwargs):
        raise RuntimeError('disk full')

    monkeypatch.setattr(generator, '_annotation_xml', boom)
    with pytest.raises(RuntimeError, match='disk full'):
        generate_toy_dataset(str(tmp_path), ToyConfig(num_images=4),
                             progress=False)
    assert os.listdir(tmp_path / 'VOCdevkit') == []


@pytest.mark.parametrize('kwargs,match', [
    (dict(classes=('aeroplane', 'unicorn')), 'unicorn'),
    (dict(num_images=1), 'num_images'),
    (dict(val_fraction=1.0), 'val_fraction'),
    (dict(context=True, saliency_context_prob=1.5), 'saliency_context_prob'),
    (dict(saliency_context_prob=0.5), 'needs context'),
])
def test_bad_settings(tmp_path, kwargs, match):
    with pytest.raises((KeyError, ValueError), match=match):
        generate_toy_dataset(str(tmp_path), ToyConfig(**kwargs),
                             progress=False)


def test_folder_format_with_any_class_names(tmp_path):
    """Non-VOC names give the own-folder format; VOC names written in it
    give the same images and pixels as the VOC layout (values 1..M)."""
    from seenet_mm.datasets import validate_folder
    from seenet_mm.toy import generate_toy_folder
    cfg = ToyConfig(num_images=6, val_fraction=0.34,
                    classes=('kiwi', 'mango', 'plum'))
    root = generate_toy_folder(str(tmp_path / 'fruit'), cfg, progress=False)
    classes, splits = validate_folder(root)
    assert classes == ['kiwi', 'mango', 'plum']
    assert len(splits['train']) == 4 and len(splits['val']) == 2
    for info in splits['train'] + splits['val']:
        mask = np.asarray(Image.open(osp.join(root, 'masks',
                                              info['img_id'] + '.png')))
        present = set(np.unique(mask)) - {0, 255}
        assert present == set(info['gt_class_ids'])
        assert osp.isfile(osp.join(root, 'saliency', info['img_id'] + '.png'))
    assert generate_toy_folder(root, cfg, progress=False) == root  # kept
    with pytest.raises(FileExistsError):
        generate_toy_folder(root, ToyConfig(num_images=3, classes=('a', )),
                            progress=False)
    voc_cfg = ToyConfig(num_images=3, val_fraction=0.34,
                        classes=('cat', 'dog'))
    folder = generate_toy_folder(str(tmp_path / 'f'), voc_cfg,
                                 progress=False)
    voc = generate_toy_dataset(str(tmp_path / 'v'), voc_cfg, progress=False)
    for i in range(3):
        name = f'toy_{i:06d}'
        a = np.asarray(Image.open(osp.join(folder, 'masks', name + '.png')))
        b = np.asarray(Image.open(osp.join(voc, 'SegmentationClass',
                                           name + '.png')))
        lut = np.arange(256)
        lut[VOC_CLASSES.index('cat')], lut[VOC_CLASSES.index('dog')] = 1, 2
        assert np.array_equal(a, lut[b])
        assert np.array_equal(
            np.asarray(Image.open(osp.join(folder, 'images', name + '.jpg'))),
            np.asarray(Image.open(osp.join(voc, 'JPEGImages', name + '.jpg'))))


def test_context_option(tmp_path):
    """--context: masks written beside the images, context in most of a
    class's images, next to its objects and never on them, identical runs
    for one seed; without it, the set and its meta are as before."""
    cfg = ToyConfig(num_images=40, val_fraction=0.25, context=True)
    voc = generate_toy_dataset(str(tmp_path / 'a'), cfg, progress=False)
    names = sorted(f[:-4] for f in os.listdir(osp.join(voc, 'JPEGImages')))
    per_class = {}
    for name in names:
        ctx = np.asarray(Image.open(osp.join(voc, 'context', name + '.png')))
        seg = np.asarray(Image.open(osp.join(voc, 'SegmentationClass',
                                             name + '.png')))
        assert set(np.unique(ctx)) <= {0, 255}
        assert not ((ctx > 0) & (seg != 0) & (seg != 255)).any()
        present = set(np.unique(seg).tolist()) - {0, 255}
        if len(present) == 1:
            per_class.setdefault(present.pop(), []).append((ctx > 0).any())
    shares = [np.mean(v) for v in per_class.values() if len(v) >= 3]
    assert shares and min(shares) >= 0.5 and np.mean(shares) >= 0.7
    again = generate_toy_dataset(str(tmp_path / 'b'), cfg, progress=False)
    for sub in ('JPEGImages', 'context', 'SegmentationClass'):
        for f in sorted(os.listdir(osp.join(voc, sub)))[:5]:
            assert open(osp.join(voc, sub, f), 'rb').read() == \
                open(osp.join(again, sub, f), 'rb').read()
    meta = json.load(open(osp.join(voc, 'toy_meta.json')))
    assert meta['context'] is True and meta['context_prob'] == 0.8
    assert 'context' not in ToyConfig().meta()
    sample = make_sample(3, ToyConfig())
    assert 'context' not in sample
    with_ctx = make_sample(3, ToyConfig(context=True))
    assert with_ctx['image'].shape == sample['image'].shape


def test_saliency_that_fires_on_context():
    """saliency_context_prob: the saliency map holds the context at 0.4-0.9
    in that share of the images with context; images, masks and context
    stay the same, and at 0 the saliency too (no extra draw)."""
    plain = ToyConfig(context=True)
    firing = ToyConfig(context=True, saliency_context_prob=1.0)
    hot = cold = 0
    for i in range(12):
        a, b = make_sample(i, plain), make_sample(i, firing)
        assert np.array_equal(a['image'], b['image'])
        assert np.array_equal(a['seg'], b['seg'])
        assert np.array_equal(a['context'], b['context'])
        if a['context'].sum() < 50:
            continue
        # the inside of the context band, away from its blurred edges
        inner = cv2.erode(a['context'].astype(np.uint8), np.ones((7, 7)))
        if not inner.any():
            continue
        cold += float(a['saliency'][inner > 0].mean()) < 0.2 * 255
        hot += 0.3 * 255 < float(b['saliency'][inner > 0].mean()) < 0.95 * 255
    assert hot >= 3 and cold == hot
    assert np.array_equal(make_sample(5, ToyConfig(context=True))['saliency'],
                          make_sample(5, ToyConfig(
                              context=True,
                              saliency_context_prob=0.0))['saliency'])
    assert 'saliency_context_prob' not in plain.meta()
    assert firing.meta()['saliency_context_prob'] == 1.0
