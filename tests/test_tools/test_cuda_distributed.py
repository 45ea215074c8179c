"""CUDA only: tools/dist_train.sh (+ --resume) and
tools/dist_infer_attention.sh as one process on one GPU, so with nccl; the
run tools/gpu_check.sh makes (the two-process tests need a GPU per process
with nccl). Skipped without CUDA."""
import os
import os.path as osp
import sys

import numpy as np
import pytest
import torch

from conftest import run_tool
from test_train_test_tools import CONFIG, free_port, toy_options
from seenet_mm.apis import load_attention
from seenet_mm.attention_codec import ATTENTION_LEVELS

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason='needs CUDA (nccl on one GPU)')

def test_dist_train_one_gpu_nccl_and_resume(toy_root, tmp_path):
    work = str(tmp_path / 'work')
    cmd = ['bash', 'tools/dist_train.sh', CONFIG, '1', '--work-dir', work]
    proc = run_tool(cmd + toy_options(toy_root, 4, 2),
                    env=dict(PORT=free_port(), PYTHON=sys.executable))
    out = proc.stdout + proc.stderr
    assert 'Distributed training: True' in out and 'GPU number: 1' in out
    assert "backend='nccl'" in out  # the config as the runner logs it
    assert osp.isfile(osp.join(work, 'iter_4.pth'))
    assert 'mIoU' in out  # the validation at the end ran too
    proc = run_tool(cmd + ['--resume'] + toy_options(toy_root, 6, 2),
                    env=dict(PORT=free_port(), PYTHON=sys.executable))
    out = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 4' in out
    assert osp.isfile(osp.join(work, 'iter_6.pth'))


def test_dist_infer_attention_one_gpu_equals_plain_run(tiny_seenet,
                                                       tmp_path):
    config, ckpt, voc = tiny_seenet
    split = osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt')
    dist_dir, plain = str(tmp_path / 'dist'), str(tmp_path / 'plain')
    proc = run_tool(['bash', 'tools/dist_infer_attention.sh', config, ckpt,
                     '1', '--out-dir', dist_dir, '--batch-size', '4',
                     '--split', split],
                    env=dict(PORT=free_port(), PYTHON=sys.executable))
    assert '6 images in the split, 0 done before' in proc.stdout
    run_tool(['tools/infer_attention.py', config, ckpt, '--out-dir', plain,
              '--batch-size', '4', '--split', split])
    files = sorted(f for f in os.listdir(plain) if f.endswith('.npz'))
    assert len(files) == 6
    assert sorted(os.listdir(dist_dir)) == sorted(os.listdir(plain))
    for f in files:
        ca, a = load_attention(osp.join(dist_dir, f))
        cb, b = load_attention(osp.join(plain, f))
        assert np.array_equal(ca, cb), f
        # same GPU, same batches: at most one stored level apart
        assert np.abs(a - b).max() <= 1 / ATTENTION_LEVELS + 1e-6, f
