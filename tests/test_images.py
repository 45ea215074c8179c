"""One orientation everywhere (seenet_mm.images): an image stored turned
with an EXIF orientation tag gives maps, labels (with the CRF) and scores
that line up with its upright masks, as the same image stored upright does;
a map stored in the wrong frame, a size mismatch and unreadable images are
one error naming every file."""
import json
import os
import os.path as osp
import shutil

import mmcv
import numpy as np
import pytest
from PIL import Image

from conftest import run_tool
from seenet_mm.apis import load_attention
from seenet_mm.fileio import load_label_png
from seenet_mm.images import (EXIF_ORIENTATION, ImageCheckError,
                              check_images, check_map_sizes, loaded_size)


def save_turned(upright: np.ndarray, path: str) -> None:
    """Store RGB ``upright`` [H, W, 3] as a phone does: the bitmap turned
    90 degrees counter-clockwise, with EXIF orientation 6 (turn it 90
    degrees clockwise to display)."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    Image.fromarray(np.ascontiguousarray(np.rot90(upright, 1))).save(
        path, quality=100, exif=exif.tobytes())


def test_loaders_apply_the_tag(tmp_path):
    upright = np.zeros((32, 48, 3), np.uint8)
    upright[:8, :16] = 255  # a white block top left
    path = str(tmp_path / 'turned.jpg')
    save_turned(upright, path)
    with Image.open(path) as im:
        assert im.size == (32, 48)  # stored: 32 wide, 48 high
    assert loaded_size(path) == (32, 48, 6)
    for img in (mmcv.imread(path), mmcv.imfrombytes(open(path, 'rb').read()),
                mmcv.imread(path, backend='pillow')):
        assert img.shape == (32, 48, 3)
        assert img[:8, :16].mean() > 200 and img[8:, 16:].mean() < 50


@pytest.fixture(scope='module')
def turned_sets(tiny_seenet, tmp_path_factory):
    """Two copies of the tiny toy set, one with the first val image stored
    turned (EXIF orientation 6), one with it stored upright; both JPEG at
    quality 100. Returns ``(turned voc, upright voc, name, split file)``."""
    _, _, voc = tiny_seenet
    root = tmp_path_factory.mktemp('exif')
    split = osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt')
    name = open(split).read().split()[0]
    upright = np.array(Image.open(osp.join(voc, 'JPEGImages',
                                           name + '.jpg')).convert('RGB'))
    out = []
    for kind in ('turned', 'upright'):
        copy = str(root / kind)
        shutil.copytree(voc, copy)
        path = osp.join(copy, 'JPEGImages', name + '.jpg')
        if kind == 'turned':
            save_turned(upright, path)
        else:
            Image.fromarray(upright).save(path, quality=100)
        out.append(copy)
    one = str(root / 'one.txt')
    with open(one, 'w') as f:
        f.write(name + '\n')
    return out[0], out[1], name, one


def test_turned_image_lines_up_through_maps_labels_crf_and_scores(
        tiny_seenet, turned_sets, tmp_path):
    config, ckpt, _ = tiny_seenet
    turned, upright, name, split = turned_sets
    mask = load_label_png(osp.join(turned, 'SegmentationClass',
                                   name + '.png'))
    results = {}
    for kind, voc in (('turned', turned), ('upright', upright)):
        att, labels = str(tmp_path / f'att_{kind}'), str(tmp_path / kind)
        run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir', att,
                  '--split', split, '--data-root', voc])
        run_tool(['tools/make_proxy_labels.py', '--attention-dir', att,
                  '--saliency-dir', osp.join(voc, 'saliency'), '--out-dir',
                  labels, '--crf', '--image-dir', osp.join(voc, 'JPEGImages'),
                  '--workers', '1'])
        scores = str(tmp_path / f'{kind}.json')
        run_tool(['tools/eval_seeds.py', '--attention-dir', att, '--gt-dir',
                  osp.join(voc, 'SegmentationClass'), '--label-dir', labels,
                  '--split', split, '--out', scores])
        _, maps = load_attention(osp.join(att, name + '.npz'))
        label = load_label_png(osp.join(labels, name + '.png'))
        assert maps.shape[1:] == label.shape == mask.shape, kind
        results[kind] = maps, label, json.load(open(scores))
    (maps_t, label_t, score_t), (maps_u, label_u, score_u) = \
        results['turned'], results['upright']
    # the same pixels, decoded from two encodings of one picture
    assert np.abs(maps_t - maps_u).mean() < 0.02
    assert (label_t == label_u).mean() > 0.98
    assert score_t['labels']['mIoU'] == pytest.approx(
        score_u['labels']['mIoU'], abs=2.0)


def test_maps_in_the_stored_frame_and_unreadable_images(tmp_path):
    upright = np.zeros((32, 48, 3), np.uint8)
    turned = str(tmp_path / 'turned.jpg')
    save_turned(upright, turned)
    plain = str(tmp_path / 'plain.jpg')
    Image.fromarray(upright).save(plain)
    sizes = check_images([turned, plain], progress=False)
    assert sizes == {turned: (32, 48, 6), plain: (32, 48, 1)}
    stored = str(tmp_path / 'stored.png')  # drawn on the stored bitmap
    Image.fromarray(np.zeros((48, 32), np.uint8)).save(stored)
    good = str(tmp_path / 'good.png')
    Image.fromarray(np.zeros((32, 48), np.uint8)).save(good)
    small = str(tmp_path / 'small.png')
    Image.fromarray(np.zeros((16, 24), np.uint8)).save(small)
    check_map_sizes([(turned, good), (plain, good)], sizes)
    check_map_sizes([(plain, small)], sizes, exact=False)  # resized later
    with pytest.raises(ImageCheckError) as info:
        check_map_sizes([(turned, stored), (plain, small)], sizes)
    message = str(info.value)
    assert message.startswith('2 mask(s) do not fit their images')
    assert f'{stored} is 32x48, the stored frame of {turned}' in message
    assert 'EXIF orientation tag (6)' in message
    assert f'{small} is 24x16, its image {plain} 48x32' in message
    with pytest.raises(ImageCheckError, match='the stored frame'):
        check_map_sizes([(turned, stored)], sizes, exact=False,
                        what='saliency map')
    # unreadable images: all named at once, from worker processes too
    truncated = str(tmp_path / 'truncated.jpg')
    data = open(plain, 'rb').read()
    with open(truncated, 'wb') as f:
        f.write(data[:len(data) // 2])
    garbage = str(tmp_path / 'garbage.png')
    with open(garbage, 'wb') as f:
        f.write(b'not an image')
    for workers in (1, 2):
        with pytest.raises(ImageCheckError) as info:
            check_images([plain, truncated, garbage], workers=workers,
                         progress=False)
        message = str(info.value)
        assert message.startswith('2 of 3 images cannot be read')
        assert truncated in message and garbage in message
        assert plain not in message.replace(truncated, '')
    assert os.listdir(tmp_path)  # nothing else needed
