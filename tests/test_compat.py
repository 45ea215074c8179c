"""Each piece of seenet_mm.compat: needed here, and inert when not needed."""
import os
import sys
import types

import pytest
import torch
import torch.nn as nn

from seenet_mm import compat


def test_mmcv_ops_standin_lets_every_mmseg_subpackage_import():
    import importlib
    for name in ('mmseg.models', 'mmseg.datasets', 'mmseg.evaluation',
                 'mmseg.engine', 'mmseg.apis', 'mmseg.visualization'):
        importlib.import_module(name)
    from mmseg.registry import MODELS
    assert MODELS.get('FCNHead') is not None
    assert MODELS.get('VGG16') is not None


@pytest.mark.skipif(not compat.is_standin('mmcv.ops'),
                    reason='full mmcv installed: the stand-in is not used')
def test_mmcv_ops_standin_placeholders_raise_clear_error():
    import mmcv.ops
    with pytest.raises(ImportError, match='compiled ops of the full mmcv'):
        mmcv.ops.sigmoid_focal_loss(torch.zeros(1), torch.zeros(1))
    # mmcv's own pure-PyTorch point_sample is the real one
    from mmcv.ops import point_sample
    feats = torch.arange(16.).reshape(1, 1, 4, 4)
    # the centre of pixel (row 1, col 2) in [0, 1] coordinates
    pts = torch.tensor([[[2.5 / 4, 1.5 / 4]]])
    assert point_sample(feats, pts, align_corners=False).item() == \
        pytest.approx(6.0)


def test_mmcv_ops_standin_inert_when_real_ops_present(monkeypatch):
    real = types.ModuleType('mmcv.ops')
    monkeypatch.setitem(sys.modules, 'mmcv.ops', real)
    assert compat.install_mmcv_ops_standin() is False
    assert sys.modules['mmcv.ops'] is real


def test_torchvision_standin_lets_mmpretrain_models_build():
    from mmpretrain.registry import MODELS as PMODELS
    net = PMODELS.build(dict(type='ResNet', depth=18, out_indices=(3, )))
    out = net(torch.randn(1, 3, 64, 64))
    assert out[0].shape == (1, 512, 2, 2)


@pytest.mark.skipif(not compat.is_standin('torchvision'),
                    reason='real torchvision installed')
def test_torchvision_standin_raises_when_used():
    import torchvision
    with pytest.raises(ImportError, match='torchvision is not installed'):
        torchvision.transforms.functional.resized_crop(None, 0, 0, 1, 1, 1)


def test_torchvision_standin_inert_when_real_present(monkeypatch):
    real = types.ModuleType('torchvision')
    monkeypatch.setitem(sys.modules, 'torchvision', real)
    assert compat.install_torchvision_standin() is False
    assert sys.modules['torchvision'] is real


def test_checkpoint_loader_reads_mmengine_checkpoints(tmp_path):
    from mmengine.logging import HistoryBuffer
    from mmengine.runner import CheckpointLoader
    path = str(tmp_path / 'ckpt.pth')
    buf = HistoryBuffer()
    buf.update(1.0)
    buf.update(2.0)
    torch.save({'state_dict': {'w': torch.ones(2)},
                'message_hub': {'loss': buf}}, path)
    if compat._torch_loads_weights_only_by_default():
        # the upstream problem this piece answers
        with pytest.raises(Exception, match='HistoryBuffer'):
            torch.load(path)
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert ckpt['message_hub']['loss'].mean() == pytest.approx(1.5)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'missing.pth'))


def test_init_distributed_picks_backend_and_ddp_wrapper_takes_cpu_models(
        monkeypatch):
    import torch.distributed as dist
    from mmengine.config import Config
    from mmengine.registry import MODEL_WRAPPERS
    if torch.cuda.is_available():
        pytest.skip('the CPU path is what is tested')
    for key, value in dict(RANK='0', WORLD_SIZE='1', LOCAL_RANK='0',
                           MASTER_ADDR='127.0.0.1',
                           MASTER_PORT='29631').items():
        monkeypatch.setenv(key, value)
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    compat.init_distributed('none', cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'  # untouched
    compat.init_distributed('pytorch', cfg)
    try:
        assert cfg.env_cfg.dist_cfg.backend == 'gloo'
        assert dist.is_initialized() and dist.get_backend() == 'gloo'
        # what the runner passes: device_ids=[LOCAL_RANK]; plain DDP refuses
        # it for a CPU module, the wrapper drops it
        wrapper = MODEL_WRAPPERS.build(
            dict(type='SeeNetDistributedDataParallel'),
            default_args=dict(module=nn.Linear(3, 2), device_ids=[0]))
        assert wrapper.device_ids is None
        assert wrapper(torch.ones(1, 3)).shape == (1, 2)
        with pytest.raises(ValueError):
            nn.parallel.DistributedDataParallel(nn.Linear(3, 2),
                                                device_ids=[0])
    finally:
        dist.destroy_process_group()


def test_finish_distributed_is_a_noop_without_process_group():
    # with a group it would os._exit(); here it must return to pytest
    assert compat.finish_distributed() is None
