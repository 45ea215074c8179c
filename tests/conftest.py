"""Shared fixtures: a tiny toy set and paths of the repository."""
import contextlib
import importlib.util
import inspect
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

import seenet_mm  # noqa: F401  (compat layer before any mmseg.models import)
from seenet_mm.fileio import last_checkpoint
from seenet_mm.pipeline.inprocess import exit_code, isolated
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


# a safety net against hangs of a subprocess, not a speed check: a slow or
# busy machine must not fail a test
TOOL_TIMEOUT = 2700


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_STANDIN_DIR, ignore_errors=True)


_mains = {}


def tool_main(script: str):
    """``main`` of a Python script (one of ``tools/``), if it takes
    ``argv``; None otherwise."""
    if script not in _mains:
        name = '_tool_' + osp.splitext(osp.relpath(script, REPO))[0].replace(
            os.sep, '_').replace('.', '_')
        spec = importlib.util.spec_from_file_location(name, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        main = getattr(module, 'main', None)
        if main is not None and not inspect.signature(main).parameters:
            main = None
        _mains[script] = main
    return _mains[script]


def tool_module(script: str):
    """``tools/<script>.py`` as a module (its ``parse_args`` and ``main``)."""
    name = '_toolmod_' + script.replace('/', '_')
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, osp.join(REPO, 'tools', script + '.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return sys.modules[name]


def pipeline_main(argv):
    """``tools/pipeline.py``'s ``main(argv)``, in this process."""
    return tool_module('pipeline').main(argv)


def pipeline_args(argv):
    """The keyword arguments of ``run_pipeline`` that ``tools/pipeline.py``
    makes of ``argv``."""
    return vars(tool_module('pipeline').parse_args(argv))


@contextlib.contextmanager
def environment(env=None, cwd=None):
    """The body runs with the whole environment ``env`` (with the thread
    count ``OMP_NUM_THREADS`` of it, as a new process reads it) and the
    working directory ``cwd`` (None: this process's); ``isolated`` around
    it restores both, and the thread count."""
    import torch
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
        if env.get('OMP_NUM_THREADS', '').isdigit():
            torch.set_num_threads(int(env['OMP_NUM_THREADS']))
    if cwd is not None:
        os.chdir(cwd)
    yield


def call_main(main, argv, stdout_path, stderr_path=None, env=None,
              cwd=None) -> int:
    """Call a tool's ``main(argv)`` (argv without the program name) in this
    process as in its own (:func:`seenet_mm.pipeline.inprocess.isolated`,
    in :func:`environment`); return its exit code as a process's would be
    (:func:`~seenet_mm.pipeline.inprocess.exit_code`)."""
    with isolated(stdout_path, stderr_path), environment(env, cwd):
        return exit_code(lambda: main(list(argv)))


def run_tool(args, cwd=REPO, env=None, timeout=TOOL_TIMEOUT, check=True,
             fresh=None):
    """Run ``python tools/...`` (or ``bash tools/...``) and return it as a
    ``CompletedProcess`` (``returncode``, ``stdout``, ``stderr``).

    A tool of this repository runs in this process: its ``main(argv)``
    through :func:`call_main`, with its own
    output, environment and working directory, as the main job runs them.
    ``fresh=True`` runs it in a new interpreter instead: where the process
    is what the test checks (start-up warnings, once-per-process messages);
    any other script (mmseg's own ``tools/train.py``, which must load
    seenet_mm through ``custom_imports``) and any ``bash`` command always
    do. ``timeout`` applies to those."""
    full_env = dict(os.environ)
    full_env.setdefault('PYTHONUNBUFFERED', '1')
    full_env['PYTHON'] = sys.executable
    full_env.update(env or {})
    cmd = [sys.executable] + list(args) if args[0].endswith('.py') else list(
        args)
    script = osp.normpath(osp.join(cwd, args[0]))
    main = None
    if args[0].endswith('.py') and not fresh and \
            osp.dirname(script).startswith(osp.join(REPO, 'tools')):
        main = tool_main(script)
    if main is not None:
        with tempfile.TemporaryDirectory(prefix='seenet_tool_') as tmp:
            out, err = osp.join(tmp, 'stdout'), osp.join(tmp, 'stderr')
            code = call_main(main, args[1:], out, err, env=full_env,
                             cwd=cwd)
            with open(out) as f_out, open(err) as f_err:
                proc = subprocess.CompletedProcess(cmd, code, f_out.read(),
                                                   f_err.read())
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


def saved(checkpoint: str) -> bool:
    """Whether mmengine has named ``checkpoint`` in ``last_checkpoint``
    (it does once the checkpoint is written whole)."""
    return last_checkpoint(osp.dirname(checkpoint)) == checkpoint


def run_and_kill(cmd, checkpoint: str, log: str) -> None:
    """Start the pipeline in its own process group and SIGKILL the whole
    group (pipeline, tool, dataloader workers) once ``checkpoint`` is
    saved."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    with open(log, 'a') as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        deadline = time.time() + TOOL_TIMEOUT
        while not saved(checkpoint):
            assert proc.poll() is None, open(log).read()[-3000:]
            assert time.time() < deadline, 'no checkpoint in time'
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
