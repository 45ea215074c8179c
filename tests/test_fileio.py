"""The bottom layer's file formats and its one atomic writer."""
import os

import numpy as np
import pytest
from PIL import Image

from seenet_mm.fileio import (atomic_write, load_attention, load_label_png,
                              save_attention, save_label_png, write_image,
                              write_json)
from seenet_mm.metainfo import voc_palette


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


def test_attention_round_trip_in_float16(tmp_path):
    att = np.random.default_rng(0).random((2, 5, 7)).astype(np.float32)
    save_attention(str(tmp_path / 'a.npz'), [3, 15], att)
    classes, back = load_attention(str(tmp_path / 'a.npz'))
    assert classes.tolist() == [3, 15] and back.dtype == np.float32
    assert np.abs(back - att).max() <= 2 ** -11
    with np.load(tmp_path / 'a.npz') as data:
        assert data['ori_shape'].tolist() == [5, 7]
    with pytest.raises(ValueError, match=r'ids 1\.\.3'):
        load_attention(str(tmp_path / 'a.npz'), num_classes=3)


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
