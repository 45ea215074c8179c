"""The bottom layer's file formats and its one atomic writer."""
import os

import cv2
import numpy as np
import pytest
from PIL import Image

from seenet_mm.attention_codec import (ATTENTION_LEVELS, ATTENTION_MAX_ERROR,
                                       ATTENTION_VERSION, load_attention,
                                       save_attention)
from seenet_mm.fileio import (atomic_write, load_label_png, load_saliency,
                              save_label_png, write_image, write_json)
from seenet_mm.metainfo import voc_palette


def smooth_attention(seed=0, k=2, size=(375, 500), low=(24, 32)):
    """``[K, H, W]`` maps like real ones: a few blobs plus noise at the
    network's resolution ``low``, each scaled to max 1, upsampled
    bilinearly to ``size``."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:low[0], :low[1]]
    maps = []
    for _ in range(k):
        m = 0.05 * rng.random(low)
        for _ in range(3):
            cy, cx = rng.uniform(0, low[0]), rng.uniform(0, low[1])
            s = rng.uniform(2, 6)
            m += rng.uniform(0.3, 1) * np.exp(
                -((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
        m = (m / m.max()).astype(np.float32)
        maps.append(cv2.resize(m, size[::-1],
                               interpolation=cv2.INTER_LINEAR))
    return np.clip(np.stack(maps), 0, 1)


def test_atomic_write_leaves_nothing_on_error(tmp_path):
    path = tmp_path / 'out.json'
    write_json(str(path), {'a': 1})
    with pytest.raises(RuntimeError):
        with atomic_write(str(path), 'w') as f:
            f.write('{"half": ')
            raise RuntimeError('killed')
    # the old file is intact and no temporary file is left
    assert path.read_text().replace(' ', '').replace('\n', '') == '{"a":1}'
    assert os.listdir(tmp_path) == ['out.json']


def test_attention_round_trip_is_within_the_quantisation(tmp_path):
    att = np.random.default_rng(0).random((2, 5, 7)).astype(np.float32)
    save_attention(str(tmp_path / 'a.npz'), [3, 15], att)
    classes, back = load_attention(str(tmp_path / 'a.npz'))
    assert classes.tolist() == [3, 15] and back.dtype == np.float32
    assert ATTENTION_MAX_ERROR == 0.5 / ATTENTION_LEVELS <= 1 / 500
    assert np.abs(back - att).max() <= ATTENTION_MAX_ERROR + 1e-7
    with np.load(tmp_path / 'a.npz') as data:
        assert data['ori_shape'].tolist() == [5, 7]
        assert int(data['version']) == ATTENTION_VERSION
    with pytest.raises(ValueError, match=r'ids 1\.\.3'):
        load_attention(str(tmp_path / 'a.npz'), num_classes=3)


def test_attention_levels_survive_the_delta_wrap_exactly(tmp_path):
    # every level next to every other: the row/column deltas wrap mod 256
    levels = ATTENTION_LEVELS
    q = np.random.default_rng(1).integers(0, levels + 1, (3, 40, 50))
    q[0, 0, :2] = [0, levels]
    save_attention(str(tmp_path / 'a.npz'), [1, 2, 80], q / levels)
    classes, back = load_attention(str(tmp_path / 'a.npz'), num_classes=80)
    assert classes.tolist() == [1, 2, 80]
    assert np.array_equal(np.rint(back * levels), q)
    assert back.min() == 0 and back.max() == 1


def test_smooth_two_class_map_is_small(tmp_path):
    att = smooth_attention()
    path = str(tmp_path / 'a.npz')
    save_attention(path, [8, 15], att)
    assert os.path.getsize(path) <= 100_000
    # a map at a finer network resolution (stride 8 of 500 x 375) too
    save_attention(path, [8, 15], smooth_attention(low=(47, 63)))
    assert os.path.getsize(path) <= 100_000
    _, back = load_attention(path)
    assert back.shape == (2, 375, 500)
    assert np.abs(back - smooth_attention(low=(47, 63))).max() <= \
        ATTENTION_MAX_ERROR + 1e-7


def test_image_without_classes(tmp_path):
    save_attention(str(tmp_path / 'a.npz'), [], np.zeros((0, 4, 6)))
    classes, att = load_attention(str(tmp_path / 'a.npz'))
    assert classes.shape == (0,) and att.shape == (0, 4, 6)


def test_version_1_files_still_load(tmp_path):
    # written the way save_attention wrote them before version 2
    att = smooth_attention(k=2, size=(30, 40), low=(4, 5))
    path = str(tmp_path / 'old.npz')
    with open(path, 'wb') as f:
        np.savez(f, classes=np.asarray([3, 15], dtype=np.int64),
                 attention=att.astype(np.float16),
                 ori_shape=np.asarray(att.shape[1:], dtype=np.int64))
    classes, back = load_attention(path)
    assert classes.tolist() == [3, 15] and back.dtype == np.float32
    assert np.array_equal(back, att.astype(np.float16).astype(np.float32))
    np.savez(path, classes=np.array([3]), attention=att[:1])  # no ori_shape
    assert load_attention(path)[1].shape == (1, 30, 40)


def test_save_attention_refuses_bad_maps(tmp_path):
    path = str(tmp_path / 'a.npz')
    for classes, att, match in [
            ([3], np.full((1, 2, 2), 1.5), r'a\.npz: .*in \[0, 1\]'),
            ([3], np.full((1, 2, 2), np.nan), r'a\.npz: .*got nan'),
            ([3], np.full((1, 2, 2), -0.1), r'a\.npz: .*in \[0, 1\]'),
            ([3, 4], np.zeros((1, 2, 2)), r'a\.npz: .*K = 2 classes'),
            ([3], np.zeros((2, 2)), r'a\.npz: .*\[K, H, W\]'),
            ([0], np.zeros((1, 2, 2)), r'a\.npz: classes must be ids')]:
        with pytest.raises(ValueError, match=match):
            save_attention(path, classes, att)
    assert os.listdir(tmp_path) == []


def _write_v2(path, **changes):
    arrays = dict(version=np.int64(ATTENTION_VERSION),
                  classes=np.array([3], np.int64),
                  ori_shape=np.array([2, 3], np.int64),
                  attention_delta=np.zeros((1, 2, 3), np.uint8))
    arrays.update(changes)
    np.savez_compressed(path, **{k: v for k, v in arrays.items()
                                 if v is not None})


@pytest.mark.parametrize('changes, match', [
    (dict(version=np.int64(3)), 'version 3; this seenet_mm reads'),
    (dict(version=np.array([2, 2])), 'version must be one integer'),
    (dict(attention_delta=None), r"missing keys \['attention_delta'\]"),
    (dict(ori_shape=None), r"missing keys \['ori_shape'\]"),
    (dict(attention_delta=np.zeros((1, 2, 3), np.float32)),
     'attention_delta must be uint8'),
    (dict(attention_delta=np.zeros((2, 3), np.uint8)),
     'attention_delta must be uint8'),
    (dict(ori_shape=np.array([3, 2])), 'ori_shape'),
    (dict(classes=np.array([3, 4])), 'K = 2 classes'),
    (dict(classes=np.array([81])), r'ids 1\.\.80'),
    (dict(classes=np.array(['cat'])), 'integer ids'),
])
def test_bad_version_2_files(tmp_path, changes, match):
    path = str(tmp_path / 'a.npz')
    _write_v2(path, **changes)
    with pytest.raises(ValueError, match=r'a\.npz: .*' + match):
        load_attention(path, num_classes=80)


def test_truncated_attention_file(tmp_path):
    path = str(tmp_path / 'a.npz')
    save_attention(path, [3], smooth_attention(k=1, size=(20, 30)))
    with open(path, 'rb') as f:
        head = f.read()[:200]
    with open(path, 'wb') as f:
        f.write(head)
    with pytest.raises(ValueError, match='a.npz: not a readable attention'):
        load_attention(path)
    with pytest.raises(FileNotFoundError, match='b.npz'):
        load_attention(str(tmp_path / 'b.npz'))


def test_label_png_has_the_voc_palette(tmp_path):
    label = np.array([[0, 1], [20, 255]], np.uint8)
    save_label_png(str(tmp_path / 'l.png'), label)
    with Image.open(tmp_path / 'l.png') as im:
        assert im.mode == 'P'
        assert im.getpalette()[:6] == voc_palette()[:6]
    assert np.array_equal(load_label_png(str(tmp_path / 'l.png')), label)


def test_write_image_is_rgb(tmp_path):
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[..., 0] = 200
    write_image(str(tmp_path / 'x.png'), rgb)
    with Image.open(tmp_path / 'x.png') as im:
        assert np.array_equal(np.asarray(im.convert('RGB')), rgb)


# ----------------------------------------------------------------------
# saliency maps: read by their true range, or refused naming the file
# ----------------------------------------------------------------------
@pytest.fixture
def grey8():
    return np.random.default_rng(2).integers(0, 256, (6, 9), np.uint8)


def test_saliency_8_bit_grey(tmp_path, grey8):
    Image.fromarray(grey8).save(tmp_path / 's.png')
    sal, resized = load_saliency(str(tmp_path / 's.png'))
    assert sal.dtype == np.float32 and not resized
    assert np.allclose(sal, grey8 / 255.0)


@pytest.mark.parametrize('writer', ['pil', 'cv2'])
def test_saliency_16_bit_grey_reads_as_its_8_bit_counterpart(
        tmp_path, writer):
    grey16 = np.random.default_rng(3).integers(0, 65536, (6, 9), np.uint16)
    grey16[0, :2] = [0, 65535]
    grey8 = np.rint(grey16 / 257.0).astype(np.uint8)
    path = str(tmp_path / 's16.png')
    if writer == 'pil':
        Image.fromarray(grey16).save(path)
    else:
        cv2.imwrite(path, grey16)
    Image.fromarray(grey8).save(tmp_path / 's8.png')
    sal16, _ = load_saliency(path)
    sal8, _ = load_saliency(str(tmp_path / 's8.png'))
    assert np.abs(sal16 - sal8).max() <= 1 / 255
    assert np.allclose(sal16, grey16 / 65535.0)
    assert sal16.min() == 0 and sal16.max() == 1
    # and resized like an 8-bit one
    sal, resized = load_saliency(path, (12, 18))
    assert resized and sal.shape == (12, 18) and sal.max() <= 1


def test_saliency_32_bit_grey_by_16_bit_range(tmp_path):
    # PIL opens 16-bit PNGs as 'I' in older versions; a TIFF gives 'I' here
    grey = np.array([[0, 1000, 65535]], np.int32)
    Image.fromarray(grey).save(tmp_path / 's.tif')
    with Image.open(tmp_path / 's.tif') as im:
        assert im.mode == 'I'
    assert np.allclose(load_saliency(str(tmp_path / 's.tif'))[0],
                       grey / 65535.0)
    Image.fromarray(grey * 2).save(tmp_path / 'big.tif')
    with pytest.raises(ValueError, match=r'big\.tif: .*outside 16 bits'):
        load_saliency(str(tmp_path / 'big.tif'))


def test_saliency_bilevel(tmp_path):
    Image.fromarray(np.array([[0, 255]], np.uint8)).convert('1').save(
        tmp_path / 's.png')
    assert load_saliency(str(tmp_path / 's.png'))[0].tolist() == [[0, 1]]


def test_saliency_grey_with_alpha_ignores_alpha(tmp_path, grey8):
    alpha = np.random.default_rng(4).integers(0, 256, grey8.shape, np.uint8)
    Image.fromarray(np.stack([grey8, alpha], -1), mode='LA').save(
        tmp_path / 's.png')
    with Image.open(tmp_path / 's.png') as im:
        assert im.mode == 'LA'
    assert np.allclose(load_saliency(str(tmp_path / 's.png'))[0],
                       grey8 / 255.0)


@pytest.mark.parametrize('mode', ['RGB', 'RGBA', 'P'])
def test_saliency_grey_saved_in_colour(tmp_path, grey8, mode):
    path = str(tmp_path / 's.png')
    rgb = np.repeat(grey8[..., None], 3, -1)
    if mode == 'P':
        img = Image.fromarray(grey8, mode='P')
        img.putpalette([v for g in range(256) for v in (g, g, g)])
    elif mode == 'RGBA':
        img = Image.fromarray(np.dstack([rgb, 255 - grey8]), mode='RGBA')
    else:
        img = Image.fromarray(rgb)
    img.save(path)
    with Image.open(path) as im:
        assert im.mode == mode
    assert np.allclose(load_saliency(path)[0], grey8 / 255.0)
    # one pixel of colour: refused, naming the file and what it found
    if mode == 'P':
        palette = [v for g in range(256) for v in (g, g, g)]
        palette[3 * int(grey8[0, 0]) + 1] ^= 1  # green differs on that level
        img.putpalette(palette)
        n = int((grey8 == grey8[0, 0]).sum())
    else:
        rgb[0, 0, 1] = (int(rgb[0, 0, 0]) + 1) % 256
        img = Image.fromarray(
            rgb if mode == 'RGB' else np.dstack([rgb, 255 - grey8]),
            mode=mode)
        n = 1
    img.save(path)
    with pytest.raises(ValueError, match=(
            rf's\.png: a colour saliency image \(mode {mode}\) whose '
            rf'colour channels differ on {n} of 54 pixels')):
        load_saliency(path)


def test_saliency_refused_or_unreadable(tmp_path):
    Image.fromarray(np.zeros((2, 3), np.float32)).save(tmp_path / 'f.tif')
    with pytest.raises(ValueError, match=r'f\.tif: .*got an image of mode F'):
        load_saliency(str(tmp_path / 'f.tif'))
    (tmp_path / 'bad.png').write_bytes(b'not a png')
    with pytest.raises(ValueError, match=r'bad\.png: not a readable'):
        load_saliency(str(tmp_path / 'bad.png'))
    with pytest.raises(FileNotFoundError, match='none.png'):
        load_saliency(str(tmp_path / 'none.png'))
