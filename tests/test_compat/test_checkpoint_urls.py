"""Downloaded checkpoints follow the local rule: a crafted file served over
HTTP from 127.0.0.1 is refused by every scheme mmengine downloads with,
before anything in it runs, and the error names the URL and the opt-in;
a URL listed in SEENET_TRUSTED_CHECKPOINTS loads in full."""
import functools
import http.server
import os
import os.path as osp
import threading

import mmengine.runner.checkpoint as mm_checkpoint
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader, load_checkpoint

from conftest import run_tool
from seenet_mm import compat
from seenet_mm.compat import TRUST_ENV, UntrustedCheckpointError


class _MakesDir:
    """Unpickling it creates a directory: stands for any pickled code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path, ))


class _Quiet(http.server.SimpleHTTPRequestHandler):

    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """``(folder, base_url)``: files in folder are served from 127.0.0.1;
    torch's hub cache and the opt-in are this test's own."""
    folder = tmp_path / 'www'
    folder.mkdir()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.delenv(TRUST_ENV, raising=False)
    server = http.server.ThreadingHTTPServer(
        ('127.0.0.1', 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def crafted(folder, name, marker):
    torch.save({'state_dict': {'weight': torch.ones(2, 3)},
                'meta': _MakesDir(marker)}, str(folder / name))


@pytest.mark.parametrize('scheme', ['http', 'torchvision', 'open-mmlab',
                                    'mmcls'])
def test_crafted_download_is_refused_by_every_scheme(served, tmp_path,
                                                     monkeypatch, scheme):
    folder, base = served
    marker = str(tmp_path / 'created_by_unpickling')
    crafted(folder, 'evil.pth', marker)
    url = f'{base}/evil.pth'
    # the zoo schemes look their name up in mmengine's tables of URLs
    tables = {'torchvision': 'get_torchvision_models',
              'open-mmlab': 'get_external_models',
              'mmcls': 'get_mmcls_models'}
    name = url if scheme == 'http' else f'{scheme}://evil'
    if scheme in tables:
        monkeypatch.setattr(mm_checkpoint, tables[scheme],
                            lambda: {'evil': url})
    model = torch.nn.Linear(3, 2)
    with pytest.raises(UntrustedCheckpointError) as info:
        load_checkpoint(model, name, map_location='cpu')
    message = str(info.value)
    assert url in message and TRUST_ENV in message
    assert f'{os.mkdir.__module__}.mkdir' in message
    assert not osp.exists(marker)
    # downloaded into torch's hub cache, as torch.hub does
    assert osp.isfile(osp.join(torch.hub.get_dir(), 'checkpoints',
                               'evil.pth'))


def test_trusted_url_loads_in_full_and_plain_files_need_no_trust(served):
    folder, base = served
    history = HistoryBuffer()
    history.update(1.5)
    torch.save({'state_dict': {'w': torch.ones(1)},
                'message_hub': {'loss': history}}, str(folder / 'old.pth'))
    torch.save({'state_dict': {'w': torch.zeros(1)}},
               str(folder / 'plain.pth'))
    old, plain = f'{base}/old.pth', f'{base}/plain.pth'
    plain_ckpt = CheckpointLoader.load_checkpoint(plain, map_location='cpu')
    assert torch.equal(plain_ckpt['state_dict']['w'], torch.zeros(1))
    with pytest.raises(UntrustedCheckpointError, match='HistoryBuffer'):
        CheckpointLoader.load_checkpoint(old, map_location='cpu')
    # a URL in the list next to a local path: ':' also occurs inside URLs
    os.environ[TRUST_ENV] = os.pathsep.join(['/some/file.pth', old])
    assert compat.trusted_checkpoints() == [
        osp.realpath('/some/file.pth'), old]
    assert compat.is_trusted(old) and not compat.is_trusted(plain)
    ckpt = CheckpointLoader.load_checkpoint(old, map_location='cpu')
    assert isinstance(ckpt['message_hub']['loss'], HistoryBuffer)
    # trust_checkpoint keeps a URL as it is
    del os.environ[TRUST_ENV]
    assert compat.trust_checkpoint(old) == old and compat.is_trusted(old)


def test_failed_download_is_one_error_naming_the_url(served):
    _, base = served
    url = f'{base}/missing.pth'
    with pytest.raises(FileNotFoundError, match=url.replace('.', r'\.')):
        CheckpointLoader.load_checkpoint(url, map_location='cpu')


def test_test_py_with_a_crafted_url(served, tiny_seenet, tmp_path):
    folder, base = served
    config, _, _ = tiny_seenet
    marker = str(tmp_path / 'created_by_unpickling')
    crafted(folder, 'evil_test.pth', marker)
    url = f'{base}/evil_test.pth'
    proc = run_tool(['tools/test.py', config, url, '--work-dir',
                     str(tmp_path / 'test')], check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and url in last and TRUST_ENV in last
    assert not osp.exists(marker)
