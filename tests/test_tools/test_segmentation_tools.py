"""LargeFOV trains on a label folder (loss falls), tests single scale, with
--tta and --crf (and --crf-workers: the same predictions); the DeepLabV3+
mixing config trains and tests."""
import os.path as osp
import re

import numpy as np
import pytest

from conftest import run_tool
from seenet_mm.fileio import load_label_png
from seenet_mm.crf import crf_available


def opts(toy_root, iters, labels='SegmentationClass'):
    voc = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    return ['--cfg-options',
            f'train_dataloader.dataset.data_root={voc}',
            f'train_dataloader.dataset.data_prefix.seg_map_path={labels}',
            f'train_dataloader.dataset.ann_file=ImageSets/Segmentation/'
            'train.txt',
            f'val_dataloader.dataset.data_root={voc}',
            f'test_dataloader.dataset.data_root={voc}',
            'train_dataloader.batch_size=4',
            f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'default_hooks.checkpoint.interval={iters}',
            'default_hooks.logger.interval=5']


@pytest.mark.slow
def test_largefov_train_tta_crf(toy_root, tmp_path):
    cfg = 'configs/toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py'
    work = str(tmp_path / 'lfov')
    # the toy masks stand in for a proxy-label folder here
    proc = run_tool(['tools/train.py', cfg, '--work-dir', work] +
                    opts(toy_root, 40) +
                    ['model.backbone.widen_factor=0.125',
                     'model.decode_head.in_channels=64',
                     'model.decode_head.channels=32'])
    losses = [float(v) for v in re.findall(r'\sloss: ([0-9.]+)',
                                           proc.stdout + proc.stderr)]
    assert len(losses) == 8 and losses[-1] < losses[0]
    ckpt = osp.join(work, 'iter_40.pth')
    extra = ['model.backbone.widen_factor=0.125',
             'model.decode_head.in_channels=64',
             'model.decode_head.channels=32']
    flags = [[], ['--tta']] + ([['--crf'], ['--tta', '--crf']]
                               if crf_available() else [])
    for f in flags:
        proc = run_tool(['tools/test.py', cfg, ckpt, '--work-dir', work] +
                        f + opts(toy_root, 40) + extra)
        assert re.search(r'mIoU: \d+\.\d+', proc.stdout + proc.stderr), f


def test_crf_flag_without_pydensecrf_is_one_clear_error(toy_root, tmp_path,
                                                        monkeypatch):
    if crf_available():
        pytest.skip('pydensecrf2 installed')
    proc = run_tool(['tools/test.py', 'configs/toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py',
                     str(tmp_path / 'x.pth'), '--crf'], check=False)
    assert proc.returncode != 0 and 'pip install "pydensecrf2' in proc.stderr


def test_use_crf_workers_raise_the_test_batch():
    from mmengine.config import Config
    from seenet_mm.cli import use_crf
    if not crf_available():
        pytest.skip('pydensecrf2 not installed')
    def cfg():
        return Config(dict(model=dict(type='EncoderDecoder'),
                           test_dataloader=dict(batch_size=1)))
    one, two = cfg(), cfg()
    use_crf(one, 1)
    use_crf(two, 2)
    assert one.model.crf_workers == 1 and one.test_dataloader.batch_size == 1
    assert two.model.crf_workers == 2 and two.test_dataloader.batch_size == 4
    with pytest.raises(ValueError, match='--crf-workers must be an integer '
                       '>= 1, got 0'):
        use_crf(cfg(), 0)


@pytest.mark.skipif(not crf_available(), reason='pydensecrf2 not installed')
def test_test_py_crf_workers_give_the_predictions_of_one(toy_root, tmp_path):
    """tools/test.py --crf with 2 CRF workers (test batch of 4 images of
    the toy set) and with 1 (batch of 1, in the main process): the same
    prediction PNGs and mIoU."""
    cfg = 'configs/toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py'
    work = str(tmp_path / 'w')
    extra = ['model.backbone.widen_factor=0.0625',
             'model.decode_head.in_channels=32',
             'model.decode_head.channels=16']
    # a strong random classifier: after one iteration the predictions
    # (and their CRFs) hold several classes, not only background
    run_tool(['tools/train.py', cfg, '--work-dir', work] +
             opts(toy_root, 1) + extra +
             ['model.decode_head.init_cfg.0.std=1.0'])
    outputs = {}
    for n in (1, 2):
        out = tmp_path / f'pred{n}'
        proc = run_tool(['tools/test.py', cfg, osp.join(work, 'iter_1.pth'),
                         '--work-dir', work, '--crf', '--crf-workers', str(n),
                         '--out', str(out)] + opts(toy_root, 1) + extra)
        miou = re.search(r'mIoU: (\d+\.\d+)', proc.stdout + proc.stderr)
        pngs = sorted(out.glob('*.png'))
        outputs[n] = (miou.group(1), {p.name: p.read_bytes() for p in pngs})
    assert len(outputs[1][1]) == 6  # the toy set's val images
    assert outputs[1] == outputs[2]
    labels = [load_label_png(str(p)) for p in (tmp_path / 'pred1').iterdir()]
    assert sum(len(np.unique(m)) > 1 for m in labels) >= 3
    proc = run_tool(['tools/test.py', cfg, 'x.pth', '--crf-workers', '2'],
                    check=False)
    assert proc.returncode != 0
    assert 'error: --crf-workers needs --crf' in proc.stderr


def test_deeplabv3plus_mixing_config_trains_and_tests(toy_root, tmp_path):
    cfg = 'configs/toy/deeplabv3plus_r18-d8_1xb8-400_toy-96x96_proxy.py'
    work = str(tmp_path / 'dlv3p')
    run_tool(['tools/train.py', cfg, '--work-dir', work] +
             opts(toy_root, 4))
    proc = run_tool(['tools/test.py', cfg, osp.join(work, 'iter_4.pth'),
                     '--work-dir', work] + opts(toy_root, 4))
    assert re.search(r'mIoU: \d+\.\d+', proc.stdout + proc.stderr)


def test_resumed_training_equals_uninterrupted(toy_root, tmp_path):
    """With dropout in the head and a validation at the checkpoint's
    iteration: RNGStateHook restores the RNG states (and keeps validation
    from drawing on them), and mmengine replays the data order.

    The trainings run on the CPU on any machine (CUDA_VISIBLE_DEVICES
    empty), where the weights must be equal: on an H100 the resumed
    weights differed from the uninterrupted ones by up to 0.09, and whether
    that is the GPU's nondeterminism (cuDNN, atomic adds) or a resume gap
    on the GPU is not settled. The GPU's RNG states on resume have their
    own test (test_rng_state_hook.py)."""
    import torch
    cfg = 'configs/toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py'
    extra = ['model.backbone.widen_factor=0.0625',
             'model.decode_head.in_channels=32',
             'model.decode_head.channels=16',
             'default_hooks.checkpoint.interval=4']
    straight, resumed = str(tmp_path / 'a'), str(tmp_path / 'b')
    val_at_4 = ['train_cfg.val_interval=4']
    cpu = {'CUDA_VISIBLE_DEVICES': ''}
    run_tool(['tools/train.py', cfg, '--work-dir', straight] +
             opts(toy_root, 8) + extra + val_at_4, env=cpu)
    run_tool(['tools/train.py', cfg, '--work-dir', resumed] +
             opts(toy_root, 4) + extra + val_at_4, env=cpu)
    run_tool(['tools/train.py', cfg, '--work-dir', resumed, '--resume'] +
             opts(toy_root, 8) + extra + val_at_4, env=cpu)
    a = torch.load(osp.join(straight, 'iter_8.pth'),
                   weights_only=False)['state_dict']
    b = torch.load(osp.join(resumed, 'iter_8.pth'),
                   weights_only=False)['state_dict']
    for key in a:
        assert torch.equal(a[key], b[key]), key
