"""Checkpoints load with weights_only=True in every tool: a crafted file
that would run code is refused before anything runs; our own checkpoints
load (also in mmseg's own test.py) and resume; older ones load only by the
explicit opt-in; a checkpoint missing model weights is an error."""
import os
import os.path as osp
import shutil

import pytest
import torch

from conftest import run_tool
from seenet_mm.compat import TRUST_ENV, load_local_checkpoint


def mmseg_tool(name: str) -> str:
    import mmseg
    return osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', name)


class _MakesDir:
    """Unpickling it creates a directory: stands for any pickled code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path, ))


@pytest.fixture
def no_trust(monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)


def val_split(voc: str) -> str:
    return osp.join(voc, 'ImageSets', 'Segmentation', 'val.txt')


def test_crafted_checkpoint_is_refused_by_every_tool(tiny_seenet, tmp_path,
                                                     no_trust):
    config, ckpt, voc = tiny_seenet
    marker = str(tmp_path / 'created_by_unpickling')
    crafted = str(tmp_path / 'crafted.pth')
    state = torch.load(ckpt, weights_only=True)['state_dict']
    torch.save({'state_dict': state, 'meta': _MakesDir(marker)}, crafted)
    resume_dir = tmp_path / 'resume'
    resume_dir.mkdir()
    # mmengine resumes from the file named in WORK_DIR/last_checkpoint
    (resume_dir / 'last_checkpoint').write_text(crafted)
    commands = {
        'train.py --resume': ['tools/train.py', config, '--work-dir',
                              str(resume_dir), '--resume'],
        'test.py': ['tools/test.py', config, crafted, '--work-dir',
                    str(tmp_path / 'test')],
        'infer_attention.py': ['tools/infer_attention.py', config, crafted,
                               '--out-dir', str(tmp_path / 'att'),
                               '--split', val_split(voc)],
        "mmseg's test.py": [mmseg_tool('test.py'), config, crafted,
                            '--work-dir', str(tmp_path / 'mmseg')],
        'convert_vgg16.py': ['tools/convert_vgg16.py', crafted,
                             str(tmp_path / 'vgg.pth')],
    }
    offending = f'{os.mkdir.__module__}.mkdir'
    for name, args in commands.items():
        proc = run_tool(args, check=False)
        assert proc.returncode != 0, name
        assert offending in proc.stderr, (name, proc.stderr[-2000:])
        assert TRUST_ENV in proc.stderr, (name, proc.stderr[-2000:])
        assert not osp.exists(marker), name
    assert not [f for f in os.listdir(resume_dir) if f.endswith('.pth')]
    assert not osp.exists(tmp_path / 'vgg.pth')


def test_own_checkpoints_load_weights_only_and_resume(tiny_seenet, tmp_path,
                                                      no_trust):
    config, ckpt, _ = tiny_seenet
    # plain types only: no allow-list needed, not even by torch itself
    assert torch.serialization.get_unsafe_globals_in_checkpoint(ckpt) == []
    raw = torch.load(ckpt, weights_only=True)
    assert 'rng_states' in raw and 'message_hub' in raw
    proc = run_tool(['tools/test.py', config, ckpt, '--work-dir',
                     str(tmp_path / 'test')])
    assert 'cls/mAP' in proc.stdout + proc.stderr
    proc = run_tool([mmseg_tool('test.py'), config, ckpt, '--work-dir',
                     str(tmp_path / 'mmseg')])
    assert 'cls/mAP' in proc.stdout + proc.stderr
    # --resume from it (load_from names the checkpoint): the message hub,
    # RNG states, optimizer and schedulers come back
    work = str(tmp_path / 'resumed')
    proc = run_tool(['tools/train.py', config, '--work-dir', work, '--resume',
                     '--cfg-options', f'load_from={ckpt}',
                     'train_cfg.max_iters=3'])
    out = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in out
    assert osp.isfile(osp.join(work, 'iter_3.pth'))
    resumed = load_local_checkpoint(osp.join(work, 'iter_3.pth'))
    loss = resumed['message_hub']['log_scalars']['train/loss']
    assert len(loss.data[0]) == 3  # 2 iterations resumed + 1 new
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        osp.join(work, 'iter_3.pth')) == []


@pytest.mark.slow
def test_older_checkpoints_load_only_by_the_opt_in(tiny_seenet, tmp_path,
                                                   no_trust):
    """A checkpoint as mmengine writes it (HistoryBuffer, numpy values)."""
    config, ckpt, voc = tiny_seenet
    old = str(tmp_path / 'old.pth')
    torch.save(load_local_checkpoint(ckpt), old)  # objects, not plain
    proc = run_tool(['tools/test.py', config, old, '--work-dir',
                     str(tmp_path / 'test')], check=False)
    assert proc.returncode != 0
    assert proc.stderr.count('\n') <= 2, proc.stderr  # one line
    assert 'error: checkpoint ' in proc.stderr
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in proc.stderr
    assert f'{TRUST_ENV}={old}' in proc.stderr
    proc = run_tool(['tools/test.py', config, old, '--work-dir',
                     str(tmp_path / 'test'), '--trust-checkpoint'])
    assert 'cls/mAP' in proc.stdout + proc.stderr
    proc = run_tool(['tools/infer_attention.py', config, old, '--out-dir',
                     str(tmp_path / 'att'), '--split', val_split(voc),
                     '--trust-checkpoint'])
    assert len([f for f in os.listdir(tmp_path / 'att')
                if f.endswith('.npz')]) == 6
    # mmseg's own test.py sees only the environment variable
    proc = run_tool([mmseg_tool('test.py'), config, old, '--work-dir',
                     str(tmp_path / 'mmseg')], env={TRUST_ENV: old})
    assert 'cls/mAP' in proc.stdout + proc.stderr
    # train.py --trust-checkpoint trusts the checkpoint it resumes from
    work = tmp_path / 'resume'
    work.mkdir()
    shutil.copy(old, work / 'iter_2.pth')
    (work / 'last_checkpoint').write_text(str(work / 'iter_2.pth'))
    proc = run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--resume', '--trust-checkpoint', '--cfg-options',
                     'train_cfg.max_iters=3'])
    assert 'resumed epoch: 0, iter: 2' in proc.stdout + proc.stderr
    # ... and writes the new checkpoint in plain types
    assert torch.serialization.get_unsafe_globals_in_checkpoint(
        str(work / 'iter_3.pth')) == []


def test_missing_weights_are_an_error_in_test_py(tiny_seenet, tmp_path):
    config, ckpt, _ = tiny_seenet
    empty = str(tmp_path / 'empty.pth')
    torch.save({'state_dict': {}}, empty)
    proc = run_tool(['tools/test.py', config, empty, '--work-dir',
                     str(tmp_path / 'w')], check=False)
    assert proc.returncode != 0
    assert 'error: checkpoint ' + empty in proc.stderr
    assert 'weights are missing (backbone.conv1_1.conv.weight' in proc.stderr
    assert 'mAP' not in proc.stdout + proc.stderr
    # one weight short; extra keys are only a warning
    raw = torch.load(ckpt, weights_only=True)
    gone = sorted(k for k in raw['state_dict']
                  if 'num_batches_tracked' not in k)[-1]
    del raw['state_dict'][gone]
    raw['state_dict']['unexpected.weight'] = torch.zeros(1)
    short = str(tmp_path / 'short.pth')
    torch.save(raw, short)
    proc = run_tool(['tools/test.py', config, short, '--work-dir',
                     str(tmp_path / 'w')], check=False)
    assert proc.returncode != 0
    assert '1 of its ' in proc.stderr, proc.stderr[-2000:]
    assert f'weights are missing ({gone})' in proc.stderr
