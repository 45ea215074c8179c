"""Exact resume: every rank's RNG states in the checkpoints."""
from __future__ import annotations

import numpy as np
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


def _numpy_state_to_plain(state: tuple) -> tuple:
    """``np.random.get_state()`` with its uint32 key as an int64 tensor."""
    name, key, pos, has_gauss, cached = state
    return (str(name), torch.from_numpy(key.astype(np.int64)), int(pos),
            int(has_gauss), float(cached))


def _numpy_state_from_plain(state: tuple) -> tuple:
    """Back to ``np.random.set_state``'s form (also takes the form of
    checkpoints written before, whose key is a numpy array)."""
    name, key, pos, has_gauss, cached = state
    if isinstance(key, torch.Tensor):
        key = key.cpu().numpy()
    return (name, np.asarray(key, dtype=np.uint32), pos, has_gauss, cached)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save every rank's torch/numpy/python RNG states in checkpoints and
    restore them on resume, so that a killed and resumed training ends with
    the same weights as an uninterrupted one.

    mmengine replays the data order on resume (it advances the dataloader)
    but re-seeds the global RNGs instead of restoring them, so layers that
    draw random numbers in the training process (dropout) diverge. The
    states are also saved before and restored after each validation: it
    draws from the global RNG (e.g. when its dataloader starts workers), and
    a resumed run does not repeat the validation of its checkpoint's
    iteration.

    The states are written in plain types (tensors, ints, floats), so the
    checkpoints load with ``weights_only=True``.
    """

    # before CheckpointHook (VERY_LOW), which saves in after_train_iter
    priority = 'LOW'

    def __init__(self) -> None:
        self._gathered = None

    @staticmethod
    def _states() -> dict:
        """The states in plain types (tensors, ints, floats, tuples), so that
        checkpoints load with ``weights_only=True``."""
        import random
        return dict(torch=torch.get_rng_state(),
                    cuda=torch.cuda.get_rng_state_all()
                    if torch.cuda.is_available() else None,
                    numpy=_numpy_state_to_plain(np.random.get_state()),
                    python=random.getstate())

    @staticmethod
    def _will_save(runner) -> bool:
        from mmengine.hooks import CheckpointHook
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                return hook.every_n_train_iters(runner, hook.interval) or \
                    (hook.save_last and hook.is_last_train_iter(runner))
        return False

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        # save_checkpoint runs on rank 0 only: gather every rank's states
        # here, where all ranks are, on the iterations that are saved
        if self._will_save(runner):
            from mmengine.dist import all_gather_object
            self._gathered = all_gather_object(self._states())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_states'] = self._gathered or [self._states()]

    def before_val(self, runner) -> None:
        self._before_val = self._states()

    def after_val(self, runner) -> None:
        if getattr(self, '_before_val', None) is not None:
            self._restore(self._before_val)
            self._before_val = None

    @staticmethod
    def _restore(state: dict) -> None:
        """Set the states back. The runner loads a checkpoint onto its
        device (``map_location='cuda'`` on resume), and torch takes RNG
        states only as CPU byte tensors: they go back to the CPU first."""
        import random
        torch.set_rng_state(state['torch'].cpu())
        if state.get('cuda') is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in state['cuda']])
        np.random.set_state(_numpy_state_from_plain(state['numpy']))
        random.setstate(state['python'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        from mmengine.dist import get_rank
        states = checkpoint.get('rng_states')
        if not states or get_rank() >= len(states):
            return
        self._restore(states[get_rank()])
