"""seenet_mm.compat.checkpoints: weights_only loading, the explicit opt-in,
the (empty) allow-list and the plain-type round trip."""
import os
import os.path as osp
from collections import Counter, OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import CheckpointLoader

from seenet_mm import compat
from seenet_mm.compat import TRUST_ENV, UntrustedCheckpointError


class _MakesDir:
    """Unpickling it creates a directory: stands for any pickled code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path, ))


def _history(values, counts=None):
    buf = HistoryBuffer()
    for i, value in enumerate(values):
        buf.update(value, 1 if counts is None else counts[i])
    return buf


def test_mmengine_loader_is_the_weights_only_one():
    assert CheckpointLoader._get_checkpoint_loader('/x/y.pth') is \
        compat.load_local_checkpoint
    # remote schemes stay mmengine's
    assert CheckpointLoader._get_checkpoint_loader('https://x/y.pth') is not \
        compat.load_local_checkpoint


def test_pickled_code_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    marker = str(tmp_path / 'created_by_unpickling')
    path = str(tmp_path / 'crafted.pth')
    torch.save({'state_dict': {'w': torch.ones(1)},
                'meta': _MakesDir(marker)}, path)
    with pytest.raises(UntrustedCheckpointError) as info:
        CheckpointLoader.load_checkpoint(path, map_location='cpu')
    message = str(info.value)
    assert f'{os.mkdir.__module__}.mkdir' in message
    assert TRUST_ENV in message and '--trust-checkpoint' in message
    assert info.value.globals[0] == f'{os.mkdir.__module__}.mkdir'
    assert isinstance(info.value, ValueError)  # one line in cli_main
    assert not osp.exists(marker)


def test_mmengine_checkpoint_needs_the_opt_in(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    path = str(tmp_path / 'ckpt.pth')
    torch.save({'state_dict': {'w': torch.ones(2)},
                'message_hub': {'loss': _history([1.0, 2.0])}}, path)
    with pytest.raises(UntrustedCheckpointError,
                       match='mmengine.logging.history_buffer.HistoryBuffer'):
        CheckpointLoader.load_checkpoint(path)
    # listed (among others, by another spelling of the path): full unpickling
    link = str(tmp_path / 'link.pth')
    os.symlink(path, link)
    monkeypatch.setenv(TRUST_ENV, os.pathsep.join(['/elsewhere.pth', link]))
    assert compat.is_trusted(path)
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert ckpt['message_hub']['loss'].mean() == pytest.approx(1.5)
    # trust_checkpoint (the tools' --trust-checkpoint) adds to the variable
    other = str(tmp_path / 'other.pth')
    torch.save({'x': _history([3.0])}, other)
    assert compat.trust_checkpoint(other) == osp.realpath(other)
    assert os.environ[TRUST_ENV].split(os.pathsep) == [
        '/elsewhere.pth', link, osp.realpath(other)]
    assert CheckpointLoader.load_checkpoint(other)['x'].mean() == 3.0


def test_allow_list_is_minimal_and_never_holds_getattr(tmp_path,
                                                        monkeypatch):
    names = {f'{getattr(g, "__module__", "")}.{getattr(g, "__name__", g)}'
             for g in compat.SAFE_GLOBALS}
    assert 'builtins.getattr' not in names
    assert getattr not in compat.SAFE_GLOBALS
    assert compat.SAFE_GLOBALS == ()  # everything we write is plain
    monkeypatch.delenv(TRUST_ENV, raising=False)

    class _Escape:
        def __reduce__(self):
            return (getattr, ('text', 'upper'))

    path = str(tmp_path / 'getattr.pth')
    torch.save({'x': _Escape()}, path)
    with pytest.raises(UntrustedCheckpointError, match='builtins.getattr'):
        compat.load_local_checkpoint(path)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'missing.pth'))
    bad = tmp_path / 'bad.pth'
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(ValueError, match='bad.pth'):
        compat.load_local_checkpoint(str(bad))


def test_plain_round_trip_is_exact(tmp_path):
    buf = _history([0.5, 1.25, 3.0], [1, 2, 4])
    ints = HistoryBuffer([1, 2], [1, 1], max_length=7)
    value = OrderedDict(
        hub=buf, ints=ints,
        eta=np.float64(1.5), step=np.int64(3), flag=np.bool_(True),
        half=np.float16(0.1), name=np.str_('abc'),
        key=np.random.RandomState(0).get_state()[1],  # uint32 [624]
        grid=np.arange(6, dtype='>f4').reshape(2, 3),  # big-endian
        words=np.array(['ab', 'c']), empty=np.zeros((0, 2), np.int16),
        nested=[(np.float32(2.5), {'s': {1, 2}}), frozenset({'a'})],
        counter=Counter({650: 1}), tensor=torch.arange(3),
        size=torch.Size([1, 2]), plain=dict(a=1, b='x', c=None, d=(1.0, )))
    unknown = []
    plain = compat.to_plain(value, unknown)
    assert unknown == []
    path = str(tmp_path / 'plain.pth')
    torch.save(plain, path)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    back = compat.from_plain(torch.load(path, weights_only=True))
    assert type(back) is OrderedDict and list(back) == list(value)
    for name in ('hub', 'ints'):
        a, b = value[name], back[name]
        assert isinstance(b, HistoryBuffer) and b.max_length == a.max_length
        for attr in ('_log_history', '_count_history'):
            assert getattr(b, attr).dtype == getattr(a, attr).dtype
            assert np.array_equal(getattr(b, attr), getattr(a, attr))
    assert back['hub'].mean() == buf.mean()
    for name in ('eta', 'step', 'flag', 'half', 'name'):
        assert type(back[name]) is type(value[name])
        assert back[name] == value[name]
    for name in ('key', 'grid', 'words', 'empty'):
        assert back[name].dtype == value[name].dtype
        assert back[name].shape == value[name].shape
        assert np.array_equal(back[name], value[name])
    assert type(back['nested'][0][0]) is np.float32
    assert back['nested'][0][1] == {'s': {1, 2}}
    assert back['nested'][1] == frozenset({'a'})
    assert back['counter'] == Counter({650: 1})
    assert type(back['counter']) is Counter
    assert torch.equal(back['tensor'], torch.arange(3))
    assert back['size'] == torch.Size([1, 2])
    assert back['plain'] == dict(a=1, b='x', c=None, d=(1.0, ))
    # to_plain copies: the original objects are untouched
    assert isinstance(value['hub'], HistoryBuffer)


def test_message_hub_survives_the_round_trip(tmp_path):
    hub = MessageHub.get_instance('plain_round_trip')
    for i in range(5):
        hub.update_scalar('train/loss', 1.0 / (i + 1))
    hub.update_info('eta', np.float64(12.5), resumed=True)
    hub.update_info('iter', 4)
    path = str(tmp_path / 'hub.pth')
    torch.save({'message_hub': compat.to_plain(hub.state_dict())}, path)
    loaded = compat.load_local_checkpoint(path)['message_hub']
    other = MessageHub.get_instance('plain_round_trip_2')
    other.load_state_dict(loaded)
    a, b = hub.get_scalar('train/loss'), other.get_scalar('train/loss')
    assert np.array_equal(a.data[0], b.data[0])
    assert np.array_equal(a.data[1], b.data[1])
    assert other.get_info('eta') == 12.5
    assert type(other.get_info('eta')) is np.float64


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_resume_state_loads_onto_a_gpu(tmp_path):
    """mmengine resumes with map_location set to the GPU: the arrays of the
    message hub then arrive as CUDA tensors (found by tools/gpu_check.sh)."""
    hub = MessageHub.get_instance('plain_round_trip_gpu')
    for i in range(3):
        hub.update_scalar('train/loss', 1.0 / (i + 1))
    path = str(tmp_path / 'hub.pth')
    torch.save({'message_hub': compat.to_plain(hub.state_dict())}, path)
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cuda')
    other = MessageHub.get_instance('plain_round_trip_gpu_2')
    other.load_state_dict(loaded['message_hub'])
    assert np.array_equal(hub.get_scalar('train/loss').data[0],
                          other.get_scalar('train/loss').data[0])


def test_unknown_objects_are_reported_not_converted():
    class Thing:
        pass

    thing = Thing()
    unknown = []
    out = compat.to_plain({'meta': {'thing': thing}}, unknown)
    assert out['meta']['thing'] is thing
    assert unknown == [('checkpoint.meta.thing', Thing)]


def test_plain_checkpoint_hook_writes_weights_only_checkpoints(tmp_path):
    from seenet_mm.engine import PlainCheckpointHook
    checkpoint = {
        'meta': {'seed': 0, 'dataset_meta': {'classes': ('a', 'b')}},
        'state_dict': OrderedDict(w=torch.ones(2)),
        'message_hub': {'log_scalars': OrderedDict(loss=_history([1.0])),
                        'runtime_info': OrderedDict(eta=np.float64(2.0)),
                        'resumed_keys': OrderedDict(loss=True)},
    }
    checkpoint['state_dict']._metadata = OrderedDict({'': {'version': 1}})
    PlainCheckpointHook().before_save_checkpoint(None, checkpoint)
    path = str(tmp_path / 'hooked.pth')
    torch.save(checkpoint, path)
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    loaded = compat.load_local_checkpoint(path)
    assert loaded['state_dict']._metadata == {'': {'version': 1}}
    assert loaded['message_hub']['log_scalars']['loss'].current() == 1.0
    assert loaded['meta']['dataset_meta'] == {'classes': ('a', 'b')}
