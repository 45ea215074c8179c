"""SeeNet trains on the toy set: loss falls, val mAP >= 0.9, snapshots and
zone statistics are written (2.5 to 7 minutes on 2 cores)."""
import glob
import os.path as osp
import re

import pytest

from conftest import TOOL_TIMEOUT, run_tool
from seenet_mm.toy import ToyConfig, generate_toy_dataset

CONFIG = 'configs/toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py'


@pytest.fixture(scope='module')
def full_toy(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('toy500'))
    generate_toy_dataset(out, ToyConfig(), progress=False)
    return osp.join(out, 'VOCdevkit', 'VOC2012')


@pytest.mark.slow
def test_seenet_toy_training(full_toy, tmp_path):
    work = str(tmp_path / 'seenet')
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', work,
                     '--cfg-options',
                     f'train_dataloader.dataset.data_root={full_toy}',
                     f'val_dataloader.dataset.data_root={full_toy}',
                     f'test_dataloader.dataset.data_root={full_toy}'],
                    timeout=TOOL_TIMEOUT)  # 800 iterations: 2.5 to 20 min
    log = proc.stdout + proc.stderr
    losses = [float(v) for v in re.findall(r'\sloss: ([0-9.]+)', log)]
    sa = [float(v) for v in re.findall(r'loss_sa: ([0-9.]+)', log)]
    assert len(losses) >= 20
    assert sa[-1] < 0.5 * sa[0]
    # S_B/S_C join at iteration 100 (ErasingScheduleHook): compare after it
    late = losses[len(losses) // 4:]
    assert late[-1] < late[0]
    maps = [float(v) for v in re.findall(r'cls/mAP: ([0-9.]+)', log)]
    assert maps and maps[-1] >= 90.0, maps
    assert re.search(r'T_A zones at iter 800: erased 0\.\d+, potential '
                     r'0\.\d+, background 0\.\d+', log)
    snaps = sorted(glob.glob(osp.join(work, 'snapshots', 'iter_*.png')))
    assert [osp.basename(s) for s in snaps] == [
        'iter_200.png', 'iter_400.png', 'iter_600.png', 'iter_800.png']
    assert osp.isfile(osp.join(work, 'iter_800.pth'))
