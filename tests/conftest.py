"""Shared fixtures: a tiny toy set and paths of the repository."""
import os
import os.path as osp
import subprocess
import sys

import pytest

import seenet_mm  # noqa: F401  (compat layer before any mmseg.models import)
from seenet_mm.toy import ToyConfig, generate_toy_dataset

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture(scope='session')
def repo_root() -> str:
    return REPO


@pytest.fixture(scope='session')
def toy_root(tmp_path_factory) -> str:
    """A 24-image toy set; returns the folder holding VOCdevkit/."""
    out = str(tmp_path_factory.mktemp('toy'))
    generate_toy_dataset(out, ToyConfig(num_images=24, val_fraction=0.25),
                         progress=False)
    return out


# a safety net against hangs, not a speed check: a slow or busy machine
# must not fail a test (issue 14)
TOOL_TIMEOUT = 2700


def run_tool(args, cwd=REPO, env=None, timeout=TOOL_TIMEOUT, check=True):
    """Run ``python tools/...`` (or ``bash tools/...``) and return it."""
    full_env = dict(os.environ)
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    full_env['PYTHON'] = sys.executable
    full_env.update(env or {})
    cmd = [sys.executable] + list(args) if args[0].endswith('.py') else list(
        args)
    proc = subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(cmd)} failed ({proc.returncode}):\n'
            f'{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}')
    return proc


@pytest.fixture(scope='session')
def tiny_seenet(toy_root, tmp_path_factory):
    """A tiny SeeNet config on the tiny toy set and a 2-iteration
    checkpoint: ``(config_path, checkpoint_path, voc_root)``."""
    work = tmp_path_factory.mktemp('tiny_seenet')
    voc = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    config = str(work / 'tiny_seenet.py')
    with open(config, 'w') as f:
        f.write(f"""_base_ = [{osp.join(REPO, 'configs', 'toy',
                                        'seenet_vgg16_toy.py')!r}]
data_root = {voc!r}
model = dict(backbone=dict(widen_factor=0.0625), in_channels=32,
             branch=dict(channels=8))
train_dataloader = dict(batch_size=4, dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(checkpoint=dict(interval=2))
custom_hooks = []
""")
    run_tool(['tools/train.py', config, '--work-dir', str(work)])
    return config, str(work / 'iter_2.pth'), voc


@pytest.fixture
def tiny_seenet_model():
    """A tiny SeeNet (VGG16 at 1/32 width, 8-channel branches, 3 classes)
    built through mmseg's registry."""
    from mmseg.registry import MODELS
    return MODELS.build(dict(
        type='SeeNet', in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125),
        branch=dict(type='AttentionBranch', channels=8), num_classes=3))
