"""Shared fixtures: a tiny toy set and paths of the repository."""
import contextlib
import json
import os
import os.path as osp
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import seenet_mm  # noqa: F401  (compat layer before any mmseg.models import)
from seenet_mm.pipeline.runner import forking
from seenet_mm.toy import ToyConfig, generate_toy_dataset

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

# the toy stand-in of the tests lives in a folder of the session (inherited
# by every tool the tests run), never in the user's shared one
_STANDIN_DIR = tempfile.mkdtemp(prefix='seenet_standin_')
os.environ['SEENET_STANDIN_DIR'] = _STANDIN_DIR


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
# must not fail a test
TOOL_TIMEOUT = 2700


class _ToolServer:
    """The client of ``tool_server.py``: one server per test session,
    started at the first tool run."""

    def __init__(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix='seenet_tool_server_')
        self.log = osp.join(self.tmp, 'server.log')
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen(
                [sys.executable, osp.join(osp.dirname(__file__),
                                          'tool_server.py')],
                cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log)
        self.buffer = b''
        self._read(timeout=600)  # {"ready": true}

    def _read(self, timeout: float) -> dict:
        """The server's next message; ``TimeoutError`` after ``timeout``
        seconds without one (its pipe read unbuffered, so that a message
        that came with the one before is not waited for)."""
        deadline = time.time() + timeout
        fd = self.proc.stdout.fileno()
        while b'\n' not in self.buffer:
            ready, _, _ = select.select([fd], [], [],
                                        max(0.0, deadline - time.time()))
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError(
                    f'the tool server ended ({self.proc.wait()}):\n'
                    f'{open(self.log).read()[-3000:]}')
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b'\n', 1)
        return json.loads(line)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run(self, cmd, cwd, env, timeout) -> subprocess.CompletedProcess:
        out = osp.join(self.tmp, 'stdout')
        err = osp.join(self.tmp, 'stderr')
        for path in (out, err):
            open(path, 'w').close()
        self.proc.stdin.write(json.dumps(dict(
            cmd=list(cmd), cwd=cwd, env=env, stdout=out,
            stderr=err)).encode() + b'\n')
        self.proc.stdin.flush()
        pid = self._read(timeout=60)['pid']
        try:
            rc = self._read(timeout)['rc']
        except TimeoutError:
            os.killpg(pid, signal.SIGKILL)  # the tool and what it started
            self._read(timeout=60)
            raise subprocess.TimeoutExpired(cmd, timeout)
        except BaseException:  # e.g. Ctrl-C: no tool left running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            raise
        with open(out) as f_out, open(err) as f_err:
            return subprocess.CompletedProcess(cmd, rc, f_out.read(),
                                               f_err.read())


_server = None


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint named in ``work_dir/last_checkpoint``, which mmengine
    writes once the checkpoint is whole; '' before (or while it rewrites
    the file, which truncates it first)."""
    try:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ''


def pytest_sessionfinish(session, exitstatus):
    if _server is not None:
        _server.close()
    shutil.rmtree(_STANDIN_DIR, ignore_errors=True)


def run_tool(args, cwd=REPO, env=None, timeout=TOOL_TIMEOUT, check=True,
             fresh=None):
    """Run ``python tools/...`` (or ``bash tools/...``) and return it.

    One of this repository's ``tools/*.py`` runs in a fork of the tool
    server (``tool_server.py``, imports done once; they import seenet_mm
    first anyway); any other script (mmseg's own ``tools/train.py``, which
    must load seenet_mm through ``custom_imports``) and any ``bash``
    command runs in a fresh interpreter. ``fresh`` True / False overrides
    that; ``SEENET_TEST_FRESH=1`` runs everything fresh."""
    global _server
    full_env = dict(os.environ)
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    full_env['PYTHON'] = sys.executable
    full_env.update(env or {})
    cmd = [sys.executable] + list(args) if args[0].endswith('.py') else list(
        args)
    if fresh is None:
        script = osp.normpath(osp.join(cwd, args[0]))
        fresh = osp.dirname(script) != osp.join(REPO, 'tools')
    if args[0].endswith('.py') and not fresh and forking() and \
            os.environ.get('SEENET_TEST_FRESH', '0') != '1':
        if _server is None:
            _server = _ToolServer()
        try:
            proc = _server.run(cmd, cwd, full_env, timeout)
        except subprocess.TimeoutExpired:
            raise
        except BaseException:  # out of step with the server: a new one next
            _server.proc.kill()
            _server = None
            raise
    else:  # in a session of its own, killed with its children on timeout
        with subprocess.Popen(cmd, cwd=cwd, env=full_env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True) as popen:
            try:
                out, err = popen.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)
                popen.communicate()
                raise
        proc = subprocess.CompletedProcess(cmd, popen.returncode, out, err)
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
                                        'seenet_vgg16-tiny_1xb16-800_toy-112x112.py')!r}]
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


@pytest.fixture(scope='session')
def tiny_standin() -> str:
    """A stand-in of the toy configs' width (VGG16-tiny) from 2 iterations
    on 32 pretraining images, in the session's stand-in folder; returns its
    path."""
    run_tool(['tools/make_standin.py', '--num-images', '32', '--cfg-options',
              'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
              'train_dataloader.batch_size=4',
              'val_dataloader.batch_size=4'])
    return osp.join(_STANDIN_DIR, 'vgg16-tiny.pth')
