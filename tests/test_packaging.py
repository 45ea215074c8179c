"""A non-editable install ships the configs and tools inside the package
(``seenet_mm/.mim``), as mmseg does, so that they are found after
``pip install .``. Built from a copy of the tracked files, so that the
checkout is left untouched."""
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

from mmengine.config import Config

from conftest import REPO


def tracked_files():
    out = subprocess.run(['git', 'ls-files', '-z'], cwd=REPO, check=True,
                         capture_output=True).stdout.decode()
    return [f for f in out.split('\0') if f]


def test_wheel_ships_configs_and_tools(tmp_path):
    src = tmp_path / 'src'
    for rel in tracked_files():
        if not osp.isfile(osp.join(REPO, rel)):
            continue  # deleted in the working tree
        os.makedirs(src / osp.dirname(rel), exist_ok=True)
        shutil.copy2(osp.join(REPO, rel), src / rel)
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps',
         '--no-build-isolation', '--no-index', '-q', '-w',
         str(tmp_path / 'dist'), str(src)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel, = (tmp_path / 'dist').glob('seenet_mm-*.whl')
    names = set(zipfile.ZipFile(wheel).namelist())
    configs = [f for f in tracked_files() if f.startswith('configs/')]
    tools = [f for f in tracked_files() if f.startswith('tools/')]
    assert configs and tools
    for rel in configs + tools:
        assert f'seenet_mm/.mim/{rel}' in names, rel
    assert not any('__pycache__' in n for n in names)
    # a config resolves its _base_ chain from inside the unpacked package
    zipfile.ZipFile(wheel).extractall(tmp_path / 'site')
    cfg = Config.fromfile(str(
        tmp_path / 'site/seenet_mm/.mim/configs/toy'
        / 'seenet_vgg16-tiny_1xb16-800_toy-112x112.py'))
    assert cfg.model.type == 'SeeNet'
    assert cfg.train_cfg.max_iters == 800
