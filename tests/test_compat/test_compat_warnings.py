"""Exactly the two upstream warnings a user can do nothing about are
silenced (mmcv-lite's MultiScaleDeformableAttention, setuptools'
pkg_resources deprecation); every other warning still shows."""
import subprocess
import sys

from conftest import REPO

SCRIPT = """
import warnings
import seenet_mm
from mmengine.config import Config
Config.fromfile('configs/toy/fcn_vgg16-tiny_1xb8-400_toy-96x96.py')  # mmseg:: bases
import mmseg.models, mmpretrain.models  # mmcv.cnn.bricks.transformer
warnings.warn('an unrelated warning')
warnings.warn('pkg_resources is fine, but this one is not about it')
"""


def test_only_the_two_upstream_warnings_are_silenced():
    proc = subprocess.run([sys.executable, '-c', SCRIPT], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'MultiScaleDeformableAttention' not in proc.stderr
    assert 'pkg_resources is deprecated' not in proc.stderr
    assert 'UserWarning: an unrelated warning' in proc.stderr
    assert 'pkg_resources is fine, but' in proc.stderr


def test_tools_start_without_upstream_warnings():
    proc = subprocess.run([sys.executable, 'tools/train.py', '--help'],
                          cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0
    assert 'Warning' not in proc.stderr, proc.stderr
