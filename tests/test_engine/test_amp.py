"""--amp: the dtype per device, the CPU fallback warning, training under
bfloat16 autocast on a CPU, the inferencer under autocast, and the three
tools with --amp on this CPU."""
import copy
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from conftest import run_tool
from seenet_mm.apis.attention import AttentionInferencer
from seenet_mm.cli import add_amp_args, amp_requested
from seenet_mm.engine import amp as amp_mod
from seenet_mm.engine.amp import CPUAmpOptimWrapper, amp_dtype, set_amp

FALLBACK = 'this CPU has no native bfloat16'


@pytest.fixture
def no_bf16(monkeypatch):
    logged = []
    monkeypatch.setattr(amp_mod, 'cpu_supports_bf16', lambda: False)
    monkeypatch.setattr(amp_mod, '_warned', set())
    monkeypatch.setattr(amp_mod, 'print_log',
                        lambda msg, **kw: logged.append(msg))
    return logged


@pytest.fixture
def with_bf16(monkeypatch):
    monkeypatch.setattr(amp_mod, 'cpu_supports_bf16', lambda: True)


def test_dtype_per_device(with_bf16):
    assert amp_dtype('cuda') == torch.float16
    assert amp_dtype('cuda:1') == torch.float16
    assert amp_dtype('cpu') == torch.bfloat16
    with pytest.raises(ValueError, match='mps'):
        amp_dtype('mps')


def test_environment_overrides_the_cpu_check(monkeypatch):
    monkeypatch.setenv('SEENET_CPU_BF16', '1')
    assert amp_mod.cpu_supports_bf16() is True
    monkeypatch.setenv('SEENET_CPU_BF16', '0')
    assert amp_mod.cpu_supports_bf16() is False
    monkeypatch.delenv('SEENET_CPU_BF16')
    assert amp_mod.cpu_supports_bf16() == bool(
        torch.ops.mkldnn._is_mkldnn_bf16_supported())


def test_amp_requested_flag_over_config_key(with_bf16):
    """--amp / --no-amp win over the config key; amp='auto' is bfloat16 on
    a CPU with native bfloat16 only (not on CUDA)."""
    for value in (True, False, 'auto'):
        cfg = Config(dict(amp=value))
        assert amp_requested(cfg, True, 'cpu') is True
        assert amp_requested(cfg, False, 'cpu') is False
    assert amp_requested(Config(dict()), None, 'cpu') is False
    assert amp_requested(Config(dict(amp=True)), None, 'cpu') is True
    assert amp_requested(Config(dict(amp='auto')), None, 'cpu') is True
    assert amp_requested(Config(dict(amp='auto')), None, 'cuda:0') is False


def test_amp_auto_without_bf16_is_float32_without_warning(no_bf16):
    assert amp_requested(Config(dict(amp='auto')), None, 'cpu') is False
    assert no_bf16 == []


@pytest.mark.parametrize('value', ['yes', 1, None])
def test_amp_config_key_is_checked(value):
    with pytest.raises(ValueError, match='config key amp'):
        amp_requested(Config(dict(amp=value)), None, 'cpu')


def test_amp_args():
    import argparse
    parser = argparse.ArgumentParser()
    add_amp_args(parser)
    assert parser.parse_args([]).amp is None
    assert parser.parse_args(['--amp']).amp is True
    assert parser.parse_args(['--no-amp']).amp is False
    with pytest.raises(SystemExit):
        parser.parse_args(['--amp', '--no-amp'])


def test_cpu_without_bf16_falls_back_with_one_warning(no_bf16):
    assert amp_dtype('cpu') is None
    assert amp_dtype('cpu') is None
    assert len(no_bf16) == 1 and FALLBACK in no_bf16[0]
    assert 'float32' in no_bf16[0]


def _cfg() -> Config:
    return Config(dict(
        optim_wrapper=dict(type='OptimWrapper',
                           optimizer=dict(type='SGD', lr=0.1)),
        val_cfg=dict(type='ValLoop'), test_cfg=dict(type='TestLoop')))


def test_set_amp_cpu_cuda_and_fallback(with_bf16, monkeypatch):
    cfg = _cfg()
    assert set_amp(cfg, 'cpu') == torch.bfloat16
    assert cfg.optim_wrapper.type == 'CPUAmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.val_cfg.fp16 and cfg.test_cfg.fp16
    # channels-last where measured faster: the CPU, not CUDA
    assert [h['type'] for h in cfg.custom_hooks] == ['ChannelsLastHook']
    set_amp(cfg, 'cpu')  # twice: the hook once
    assert [h['type'] for h in cfg.custom_hooks] == ['ChannelsLastHook']
    cfg = _cfg()
    assert set_amp(cfg, 'cuda') == torch.float16
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert not cfg.get('custom_hooks')
    cfg = _cfg()
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    with pytest.raises(ValueError, match='does not train on cpu'):
        set_amp(cfg, 'cpu')
    # fallback: the config stays float32
    monkeypatch.setattr(amp_mod, 'cpu_supports_bf16', lambda: False)
    monkeypatch.setattr(amp_mod, '_warned', set())
    cfg = _cfg()
    assert set_amp(cfg, 'cpu') is None
    assert cfg.to_dict() == _cfg().to_dict()


def _step(wrapper, model, x, y):
    with wrapper.optim_context(model):
        out = model(x)
        dtype = out.dtype
        loss = torch.nn.functional.mse_loss(out.float(), y)
    wrapper.update_params(loss)
    return dtype


def test_cpu_amp_wrapper_trains_in_bfloat16():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 1))
    ref = copy.deepcopy(model)
    x, y = torch.randn(2, 3, 8, 8), torch.randn(2, 2, 6, 6)
    wrapper = CPUAmpOptimWrapper(
        dtype='bfloat16', optimizer=torch.optim.SGD(model.parameters(), 0.1))
    plain = OptimWrapper(optimizer=torch.optim.SGD(ref.parameters(), 0.1))
    assert _step(wrapper, model, x, y) == torch.bfloat16
    assert _step(plain, ref, x, y) == torch.float32
    for p, q in zip(model.parameters(), ref.parameters()):
        assert p.dtype == torch.float32
        # the same step, in bfloat16 arithmetic: close, not equal
        assert torch.allclose(p, q, atol=2e-2)
    assert any(not torch.equal(p, q) for p, q in
               zip(model.parameters(), ref.parameters()))
    with pytest.raises(ValueError, match='float16'):
        CPUAmpOptimWrapper(dtype='float16', optimizer=torch.optim.SGD(
            model.parameters(), 0.1))


def test_inferencer_under_bfloat16_keeps_float32_maps(tiny_seenet_model):
    from mmengine.model import ImgDataPreprocessor
    model = tiny_seenet_model.eval()
    model.data_preprocessor = ImgDataPreprocessor(
        mean=[123.7, 116.3, 103.5], std=[58.4, 57.1, 57.4], bgr_to_rgb=True)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)
              for _ in range(2)]
    classes = [[1], [2, 3]]
    ref = AttentionInferencer(model, sizes=(64, ), flip=True)(images, classes)
    amp = AttentionInferencer(model, sizes=(64, ), flip=True,
                              amp=torch.bfloat16)
    seen = []
    handle = model.backbone.register_forward_hook(
        lambda m, i, o: seen.append(o[-1].dtype if isinstance(o, (list,
                                                                  tuple))
                                    else o.dtype))
    got = amp(images, classes)
    handle.remove()
    assert seen and seen[0] == torch.bfloat16
    for a, b in zip(got, ref):
        assert a.dtype == np.float32 and a.shape == b.shape
        assert a.min() >= 0 and a.max() <= 1
    # the raw maps agree to bfloat16's precision (a random tiny model's
    # maps are nearly flat, so their min-max normalised values are not the
    # place to compare)
    inputs = amp.prepare(images, 64)
    labels = amp._labels(classes)
    low = amp._branches(inputs, labels)['maps_a']
    full = model.forward_branches(inputs, labels, with_c=False)['maps_a']
    assert low.dtype == torch.bfloat16
    err = (low.float() - full).abs().max() / full.abs().max()
    assert 0 < err < 0.05
    cl = AttentionInferencer(model, sizes=(64, ), flip=True,
                             channels_last=True)(images, classes)
    for a, b in zip(cl, ref):
        np.testing.assert_allclose(a, b, atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize('bf16', ['0', '1'])
def test_tools_run_with_amp_on_cpu(tiny_seenet, tmp_path, bf16):
    """train.py, test.py and infer_attention.py take --amp on a CPU: with
    bfloat16 (SEENET_CPU_BF16=1: as on a CPU with native bfloat16, here
    emulated) under autocast with the model channels-last; without it
    (SEENET_CPU_BF16=0) in float32 after one warning line."""
    config, ckpt, voc = tiny_seenet
    env = dict(SEENET_CPU_BF16=bf16)
    # the tools run on CUDA where there is one (float16: no warning)
    warns = not torch.cuda.is_available() and bf16 == '0'
    work = str(tmp_path / 'train')
    # each in a process of its own: the warning is once per process
    outputs = [run_tool(['tools/train.py', config, '--amp', '--work-dir',
                         work, '--cfg-options', 'train_cfg.max_iters=1',
                         'train_cfg.val_interval=1',
                         'default_hooks.checkpoint.interval=1'], env=env,
                        fresh=True)]
    if bf16 == '1' and not torch.cuda.is_available():
        log = outputs[0].stdout + outputs[0].stderr
        assert 'CPUAmpOptimWrapper' in log and 'ChannelsLastHook' in log
    assert osp.isfile(osp.join(work, 'iter_1.pth'))
    outputs.append(run_tool(['tools/test.py', config, ckpt, '--amp',
                             '--work-dir', str(tmp_path / 'test')], env=env,
                            fresh=True))
    out = str(tmp_path / 'maps')
    outputs.append(run_tool(['tools/infer_attention.py', config, ckpt,
                             '--amp', '--out-dir', out, '--data-root', voc,
                             '--split', osp.join(voc, 'ImageSets',
                                                 'Segmentation', 'val.txt')],
                            env=env, fresh=True))
    assert any(name.endswith('.npz') for name in os.listdir(out))
    for proc in outputs:
        text = proc.stdout + proc.stderr
        if warns:
            assert text.count(FALLBACK) == 1, text[-2000:]
        else:
            assert FALLBACK not in text


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_amp_trains_and_infers_in_float16(tiny_seenet_model):
    """On CUDA, set_amp gives mmengine's AmpOptimWrapper (float16, dynamic
    loss scaling): a SeeNet step runs its forward in float16 and keeps
    float32 parameters; the inferencer's maps stay float32."""
    from mmengine.model import ImgDataPreprocessor
    from mmengine.structures import BaseDataElement
    from mmseg.registry import OPTIM_WRAPPERS
    model = tiny_seenet_model.cuda()
    cfg = _cfg()
    assert set_amp(cfg, 'cuda') == torch.float16
    wrapper_cfg = cfg.optim_wrapper.to_dict()
    wrapper_cfg.pop('optimizer')
    wrapper = OPTIM_WRAPPERS.build(wrapper_cfg, default_args=dict(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.01)))
    x = torch.randn(2, 3, 64, 64, device='cuda')
    labels = torch.tensor([[1., 0, 0], [0, 1, 1]], device='cuda')
    samples = [BaseDataElement(gt_class_labels=lab) for lab in labels]
    seen = []
    handle = model.backbone.register_forward_hook(
        lambda m, i, o: seen.append(o[-1].dtype if isinstance(
            o, (list, tuple)) else o.dtype))
    before = [p.detach().clone() for p in model.parameters()]
    model.train()
    with wrapper.optim_context(model):
        losses = model(x, samples, mode='loss')
    wrapper.update_params(sum(losses.values()))
    handle.remove()
    assert seen[0] == torch.float16
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert any(not torch.equal(p, q) for p, q in
               zip(model.parameters(), before))
    model.eval()
    model.data_preprocessor = ImgDataPreprocessor(
        mean=[123.7, 116.3, 103.5], std=[58.4, 57.1, 57.4],
        bgr_to_rgb=True).cuda()
    img = np.random.default_rng(1).integers(0, 255, (40, 50, 3),
                                            dtype=np.uint8)
    maps = AttentionInferencer(model, sizes=(64, ), flip=True,
                               amp=torch.float16)([img], [[1, 3]])
    assert maps[0].dtype == np.float32 and maps[0].shape == (2, 40, 50)


def test_channels_last_hook_converts_the_model_and_keeps_its_outputs():
    from types import SimpleNamespace

    from mmseg.registry import HOOKS
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(),
                                torch.nn.Conv2d(4, 2, 1))
    x = torch.randn(2, 3, 9, 9)
    ref = model(x)
    params = list(model.parameters())
    HOOKS.build(dict(type='ChannelsLastHook')).before_run(
        SimpleNamespace(model=model))
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert all(p is q for p, q in zip(model.parameters(), params))
    torch.testing.assert_close(model(x), ref, rtol=1e-5, atol=1e-5)
    # a checkpoint loaded afterwards keeps the layout
    model.load_state_dict({k: v.contiguous() for k, v in
                           model.state_dict().items()})
    assert model[0].weight.is_contiguous(memory_format=torch.channels_last)
