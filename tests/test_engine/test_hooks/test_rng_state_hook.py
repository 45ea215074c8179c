"""RNGStateHook: plain-typed states that restore the exact random stream."""
import random
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from seenet_mm.engine import RNGStateHook


def draws():
    return (torch.rand(3).tolist(), np.random.rand(3).tolist(),
            [random.random() for _ in range(3)])


def test_checkpoint_states_restore_every_stream(tmp_path):
    hook = RNGStateHook()
    runner = SimpleNamespace(hooks=[])
    torch.manual_seed(5)
    np.random.seed(5)
    random.seed(5)
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    expected = draws()
    # weights-only loadable: plain types only
    torch.save(ckpt, tmp_path / 'c.pth')
    loaded = torch.load(tmp_path / 'c.pth', weights_only=True)
    draws()  # move every stream on
    hook.after_load_checkpoint(runner, loaded)
    assert draws() == expected


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_states_loaded_onto_the_gpu_restore(tmp_path):
    """mmengine's resume loads the checkpoint with map_location='cuda': the
    states come back as CUDA tensors, which torch's setters refuse."""
    hook = RNGStateHook()
    runner = SimpleNamespace(hooks=[])
    torch.manual_seed(7)
    torch.cuda.manual_seed_all(7)
    np.random.seed(7)
    random.seed(7)
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    expected = draws(), torch.rand(3, device='cuda').tolist()
    torch.save(ckpt, tmp_path / 'c.pth')
    loaded = torch.load(tmp_path / 'c.pth', map_location='cuda',
                        weights_only=True)
    assert loaded['rng_states'][0]['torch'].is_cuda
    draws()
    hook.after_load_checkpoint(runner, loaded)
    assert (draws(), torch.rand(3, device='cuda').tolist()) == expected


def test_validation_does_not_move_the_training_streams():
    hook = RNGStateHook()
    runner = SimpleNamespace(hooks=[])
    torch.manual_seed(1)
    np.random.seed(1)
    random.seed(1)
    hook.before_val(runner)
    expected = draws()
    hook.after_val(runner)
    assert draws() == expected
