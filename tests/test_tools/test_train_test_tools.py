"""tools/train.py, tools/test.py, dist_train.sh (+ kill and --resume), and
mmseg's own shipped test.py on our config, all on the tiny toy set."""
import glob
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import REPO, TOOL_TIMEOUT, run_tool
from seenet_mm.fileio import last_checkpoint

CONFIG = 'configs/toy/fcn_vgg16-tiny_1xb8-400_toy-96x96.py'


def toy_options(toy_root, max_iters, ckpt_interval):
    data_root = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    return [
        '--cfg-options',
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=2',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={max_iters}',
        f'default_hooks.checkpoint.interval={ckpt_interval}',
        'default_hooks.checkpoint.max_keep_ckpts=10',
        'default_hooks.logger.interval=1',
        'model.backbone.widen_factor=0.0625',
        'model.decode_head.in_channels=32',
        'model.decode_head.channels=16',
    ]


def free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def last_iter(work: str) -> int:
    """The iteration of the checkpoint mmengine named last in ``work``; 0
    before one is whole."""
    match = re.search(r'iter_(\d+)\.pth$', last_checkpoint(work))
    return int(match.group(1)) if match else 0


@pytest.mark.slow
def test_train_test_and_mmseg_test_py(toy_root, tmp_path):
    work = str(tmp_path / 'work')
    run_tool(['tools/train.py', CONFIG, '--work-dir', work] +
             toy_options(toy_root, 4, 4))
    ckpt = osp.join(work, 'iter_4.pth')
    assert osp.isfile(ckpt)
    opts = toy_options(toy_root, 4, 4)
    proc = run_tool(['tools/test.py', CONFIG, ckpt, '--work-dir', work] +
                    opts)
    assert 'mIoU' in proc.stdout + proc.stderr
    proc = run_tool(['tools/test.py', CONFIG, ckpt, '--work-dir', work,
                     '--tta'] + opts)
    assert 'mIoU' in proc.stdout + proc.stderr
    # a test server's split: images without masks, predictions written
    import numpy as np
    from PIL import Image
    out = tmp_path / 'server'
    metrics = tmp_path / 'server.json'
    run_tool(['tools/test.py', CONFIG, ckpt, '--work-dir', work, '--tta',
              '--format-only', '--out', str(out), '--metrics-out',
              str(metrics)] + opts +
             ['test_dataloader.dataset.data_prefix.seg_map_path=no_masks'])
    val = open(osp.join(toy_root, 'VOCdevkit', 'VOC2012', 'ImageSets',
                        'Segmentation', 'val.txt')).read().split()
    assert sorted(p.stem for p in out.glob('*.png')) == sorted(val)
    pred = np.array(Image.open(out / f'{val[0]}.png'))
    assert pred.ndim == 2 and pred.max() <= 20
    assert open(metrics).read().strip() == '{}'
    proc = run_tool(['tools/test.py', CONFIG, ckpt, '--format-only'] + opts,
                    check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith('error: --format-only needs --out '
                                        'DIR: where the predictions are '
                                        'written')
    # mmseg's own train.py / test.py load seenet_mm through custom_imports
    import mmseg
    mmseg_tools = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools')
    mmseg_work = str(tmp_path / 'mmseg_work')
    run_tool([osp.join(mmseg_tools, 'train.py'), osp.join(REPO, CONFIG),
              '--work-dir', mmseg_work] + toy_options(toy_root, 2, 2))
    assert osp.isfile(osp.join(mmseg_work, 'iter_2.pth'))
    proc = run_tool([osp.join(mmseg_tools, 'test.py'), osp.join(REPO, CONFIG),
                     ckpt, '--work-dir', work] + opts)
    assert 'mIoU' in proc.stdout + proc.stderr


def test_wrong_cfg_option_key_is_named(tmp_path):
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                     '--cfg-options', 'model.backbone.widen_factr.x=1'],
                    check=False)
    assert proc.returncode != 0
    assert "model.backbone has no key 'widen_factr'" in proc.stderr
    assert not glob.glob(str(tmp_path / '*.pth'))


def test_dist_train_two_processes_killed_and_resumed(toy_root, tmp_path):
    work = str(tmp_path / 'dist')
    env = dict(os.environ, PORT=free_port(), PYTHON=sys.executable,
               PYTHONUNBUFFERED='1')
    cmd = ['bash', 'tools/dist_train.sh', CONFIG, '2', '--work-dir', work]
    log = open(tmp_path / 'first.log', 'w')
    proc = subprocess.Popen(cmd + toy_options(toy_root, 400, 2), cwd=REPO,
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + TOOL_TIMEOUT
    # iter_4.pth appears while it is written; mmengine names it in
    # last_checkpoint only once it is whole, so wait for that
    while last_iter(work) < 4:
        assert proc.poll() is None, open(tmp_path / 'first.log').read()[-3000:]
        assert time.time() < deadline, 'no checkpoint in time'
        time.sleep(0.5)
    # a hard kill of the launcher (workers live in sessions of their own)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    log.close()
    time.sleep(3)
    ckpts = sorted(os.listdir(work))
    time.sleep(3)
    assert sorted(os.listdir(work)) == ckpts, 'orphan workers kept training'
    done = last_iter(work)
    assert done >= 4
    env['PORT'] = free_port()
    second = subprocess.run(
        cmd + ['--resume'] + toy_options(toy_root, done + 4, 2), cwd=REPO,
        env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    out = second.stdout + second.stderr
    assert second.returncode == 0, out[-4000:]
    assert f'resumed epoch: 0, iter: {done}' in out
    # mmengine pads the iteration: 'Iter(train) [ 7/10]'
    assert re.search(rf'Iter\(train\) \[\s*{done + 1}/{done + 4}\]', out)
    assert not re.search(r'Iter\(train\) \[\s*1/', out)
    assert osp.isfile(osp.join(work, f'iter_{done + 4}.pth'))
    assert 'Distributed training: True' in out and 'GPU number: 2' in out
