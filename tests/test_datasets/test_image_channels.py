"""Grayscale and CMYK JPEGs (COCO holds both) load as 3-channel uint8
images everywhere: the configs' LoadImageFromFile, the tools' readers, and
every image read of the package and tools reads in colour."""
import ast
import glob
import os.path as osp

import mmcv
import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from conftest import REPO
from seenet_mm.utils import register_all_modules

register_all_modules()

H, W = 12, 20
CMYK_RED = (0, 255, 255, 0)
CONFIGS = ['seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py',
           'deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_voc12aug-'
           '321x321.py',
           'seenet/seenet_vgg16_1xb16-50k_coco14-224x224.py',
           'deeplab_largefov/deeplab-largefov_vgg16_1xb20-48k_coco14-321x321.py']


@pytest.fixture(scope='module')
def images(tmp_path_factory):
    """name -> (path, expected RGB colour of pixel (0, 0))."""
    folder = tmp_path_factory.mktemp('channels')
    made = {}
    for name, mode, colour, ext in (
            ('gray', 'L', 100, 'JPEG'), ('cmyk', 'CMYK', CMYK_RED, 'JPEG'),
            ('rgba', 'RGBA', (0, 0, 255, 128), 'PNG'),
            ('palette', 'P', 3, 'PNG')):
        path = str(folder / f'{name}.{ext.lower().replace("jpeg", "jpg")}')
        im = Image.new(mode, (W, H), colour)
        if mode == 'P':
            im.putpalette([0, 0, 0] * 3 + [0, 200, 0] + [0, 0, 0] * 252)
        im.save(path, ext)
        with Image.open(path) as saved:
            assert saved.mode == mode  # really stored as 1 or 4 channels
            rgb = np.asarray(saved.convert('RGB'))[0, 0]
        made[name] = (path, rgb)
    return made


def check_bgr(img, want_rgb, where):
    assert img.shape == (H, W, 3) and img.dtype == np.uint8, where
    # the colour survives (a CMYK JPEG read inverted would fail here)
    assert np.abs(img[0, 0, ::-1].astype(int) - want_rgb).max() <= 8, where


def load_steps():
    """The distinct LoadImageFromFile configs of the configs' pipelines."""
    steps = {}
    for name in CONFIGS:
        path = osp.join(REPO, 'configs', name)
        if not osp.isfile(path):
            continue
        cfg = Config.fromfile(path)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            for step in cfg[key]['dataset']['pipeline']:
                if step['type'] == 'LoadImageFromFile':
                    steps[repr(sorted(step.items()))] = (name, dict(step))
    return list(steps.values())


def test_config_pipelines_load_three_channels(images):
    from mmseg.registry import TRANSFORMS
    steps = load_steps()
    assert len(steps) >= 1
    for config, step in steps:
        load = TRANSFORMS.build(step)
        for name, (path, rgb) in images.items():
            out = load(dict(img_path=path))
            check_bgr(out['img'], rgb, f'{config} {step} {name}')


def test_tool_readers_load_three_channels(images):
    from seenet_mm.apis.maps import read_image
    for name, (path, rgb) in images.items():
        check_bgr(read_image(path), rgb, f'infer_attention {name}')
        # make_proxy_labels --crf, the CRF segmentor: RGB; the gallery: BGR
        rgb_img = mmcv.imread(path, channel_order='rgb')
        check_bgr(rgb_img[..., ::-1], rgb, f'imread rgb {name}')
        check_bgr(mmcv.imread(path), rgb, f'imread {name}')


READERS = {'imread', 'imfrombytes', 'imdecode'}


def image_reads(path):
    """(line, call text, flag given) of every image read in a file."""
    with open(path) as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func,
                                                     ast.Attribute) and \
                node.func.attr in READERS:
            flag = [k.value for k in node.keywords if k.arg in ('flag',
                                                                'flags')]
            flag += node.args[1:2]
            text = ast.unparse(node)
            yield node.lineno, text, flag


def test_every_image_read_is_in_colour():
    """mmcv.imread / imfrombytes read 3 channels with their default flag
    ('color'); a grey or unchanged flag, or cv2.imread, would let a grey
    or CMYK JPEG through with 1 or 4 channels."""
    files = [p for p in glob.glob(osp.join(REPO, 'seenet_mm', '**', '*.py'),
                                  recursive=True) if '.mim' not in p]
    files += glob.glob(osp.join(REPO, 'tools', '*.py'))
    bad = []
    for path in files:
        for line, text, flag in image_reads(path):
            rel = f'{osp.relpath(path, REPO)}:{line}: {text}'
            if text.startswith('cv2.'):
                bad.append(rel)
            elif flag and not (isinstance(flag[0], ast.Constant) and
                               flag[0].value == 'color'):
                bad.append(rel)
    assert not bad, 'image reads that may return 1 or 4 channels:\n' + \
        '\n'.join(bad)
    configs = glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                        recursive=True)
    for path in configs:
        with open(path) as f:
            text = f.read()
        assert 'color_type' not in text or \
            "color_type='color'" in text, path
