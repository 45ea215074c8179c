"""seenet_mm.compat.distributed: the process group on CPU, the DDP wrapper
for CPU models (and its legacy name), the exit path."""
import pytest
import torch
import torch.nn as nn

from seenet_mm import compat


def test_wrapper_registered_under_neutral_name_and_legacy_alias():
    from mmengine.registry import MODEL_WRAPPERS
    cls = MODEL_WRAPPERS.get('CPUCompatibleDistributedDataParallel')
    assert cls is compat.CPUCompatibleDistributedDataParallel
    # users' configs name the former class: it stays registered
    assert MODEL_WRAPPERS.get('SeeNetDistributedDataParallel') is cls
    assert compat.SeeNetDistributedDataParallel is cls
    assert compat.register_ddp_wrapper() is cls  # idempotent


def test_cpu_wrapper_chosen_only_when_config_has_none(monkeypatch):
    from mmengine.config import Config
    monkeypatch.setattr(compat.distributed, 'default_dist_backend',
                        lambda: 'gloo')
    monkeypatch.setattr(compat.distributed, 'die_with_launcher',
                        lambda: False)
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    compat.init_distributed('slurm', cfg)  # no group created for slurm
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    # the arguments mmengine gives its own default wrapper
    assert cfg.model_wrapper_cfg == dict(
        type='CPUCompatibleDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=False)
    own = Config(dict(model_wrapper_cfg=dict(
        type='SeeNetDistributedDataParallel', broadcast_buffers=True)))
    compat.init_distributed('slurm', own)
    assert own.model_wrapper_cfg == dict(
        type='SeeNetDistributedDataParallel', broadcast_buffers=True)
    # not distributed, or CUDA: mmengine's default wrapper
    plain = Config(dict())
    compat.init_distributed('none', plain)
    assert 'model_wrapper_cfg' not in plain
    monkeypatch.setattr(compat.distributed, 'default_dist_backend',
                        lambda: 'nccl')
    cuda = Config(dict())
    compat.init_distributed('slurm', cuda)
    assert 'model_wrapper_cfg' not in cuda


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
        # it for a CPU module, the wrapper drops it (under either name)
        for name in (cfg.model_wrapper_cfg.type,
                     'SeeNetDistributedDataParallel'):
            wrapper = MODEL_WRAPPERS.build(
                dict(cfg.model_wrapper_cfg, type=name),
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
