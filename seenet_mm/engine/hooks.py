"""Hooks around SeeNet's self-erasing: schedule, zone statistics, snapshots."""
from __future__ import annotations

import os
import os.path as osp
from typing import Optional

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

# Fig. 2 of the paper: erased (attention) zone yellow, potential zone in
# between, background zone dark.
ZONE_COLOURS = {0: (255, 215, 0), 1: (70, 130, 180), -1: (20, 20, 20)}


def _seenet(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class ErasingScheduleHook(Hook):
    """When S_B/S_C start learning, and an optional threshold ramp.

    Args:
        start_iter: before this iteration the S_B/S_C losses are weighted 0
            (S_A alone learns first; every branch still runs, so DDP sees
            all parameters used).
        ramp_iters: iterations over which δh and δl move linearly from
            ``high_start``/``low_start`` to the model's own values.
        high_start: δh at ``start_iter`` (default: the model's δh).
        low_start: δl at ``start_iter`` (default: the model's δl).
    """

    priority = 'NORMAL'

    def __init__(self, start_iter: int = 0, ramp_iters: int = 0,
                 high_start: Optional[float] = None,
                 low_start: Optional[float] = None) -> None:
        if start_iter < 0 or ramp_iters < 0:
            raise ValueError('start_iter and ramp_iters must be >= 0')
        self.start_iter = start_iter
        self.ramp_iters = ramp_iters
        self.high_start = high_start
        self.low_start = low_start
        self._final = None

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        model = _seenet(runner)
        if self._final is None:
            self._final = (model.high, model.low)
        it = runner.iter
        model.erasing_weight = 0.0 if it < self.start_iter else 1.0
        if self.ramp_iters:
            t = min(max((it - self.start_iter) / self.ramp_iters, 0.0), 1.0)
            high, low = self._final
            h0 = high if self.high_start is None else self.high_start
            l0 = low if self.low_start is None else self.low_start
            model.high = h0 + t * (high - h0)
            model.low = l0 + t * (low - l0)


@HOOKS.register_module()
class ZoneStatisticsHook(Hook):
    """Log the fractions of the erased, potential and background zones of
    T_A every ``interval`` iterations through the runner's logger (and as
    scalars ``train/zone_*`` in the message hub)."""

    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50) -> None:
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        stats = getattr(_seenet(runner), 'last_zone_stats', None)
        if not stats:
            return
        for key, value in stats.items():
            runner.message_hub.update_scalar(f'train/zone_{key}', value)
        if self.every_n_train_iters(runner, self.interval):
            runner.logger.info(
                f'T_A zones at iter {runner.iter + 1}: ' + ', '.join(
                    f'{k} {v:.3f}' for k, v in stats.items()))


def _heatmap(att: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.applyColorMap(
        (np.clip(att, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET),
        cv2.COLOR_BGR2RGB)


def _class_attention(maps: torch.Tensor, labels: torch.Tensor) -> np.ndarray:
    """Max over the image's classes of the per-class max-normalised maps."""
    maps = maps.clamp(min=0)
    maps = maps / maps.amax(dim=(1, 2), keepdim=True).clamp(min=1e-5)
    keep = labels > 0
    if not keep.any():
        return np.zeros(maps.shape[1:], np.float32)
    return maps[keep].amax(0).numpy()


def snapshot_image(snap: dict, mean: torch.Tensor, std: torch.Tensor,
                   rgb: bool = True) -> np.ndarray:
    """One RGB row: image | M_A | T_A (Fig. 2 colours) | M_B."""
    img = (snap['inputs'].float() * std.view(-1, 1, 1) +
           mean.view(-1, 1, 1)).clamp(0, 255).byte().permute(1, 2, 0).numpy()
    if not rgb:
        img = img[..., ::-1]
    h, w = img.shape[:2]

    def up(a: np.ndarray, nearest: bool = False) -> np.ndarray:
        return cv2.resize(a.astype(np.float32), (w, h), interpolation=(
            cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR))

    panels = [np.ascontiguousarray(img)]
    panels.append(_heatmap(up(_class_attention(snap['maps_a'],
                                               snap['labels']))))
    if 'ternary' in snap:
        tern = up(snap['ternary'][0].numpy(), nearest=True).round()
        colour = np.zeros((h, w, 3), np.uint8)
        for value, rgb_col in ZONE_COLOURS.items():
            colour[tern == value] = rgb_col
        panels.append(colour)
    if 'maps_b' in snap:
        panels.append(_heatmap(up(_class_attention(snap['maps_b'],
                                                   snap['labels']))))
    sep = np.full((h, 2, 3), 255, np.uint8)
    row = [panels[0]]
    for p in panels[1:]:
        row += [sep, p]
    return np.concatenate(row, axis=1)


@HOOKS.register_module()
class AttentionSnapshotHook(Hook):
    """Every ``interval`` iterations write ``{work_dir}/{out_dir}/
    iter_{N}.png``: image | M_A | T_A | M_B of the first training image of
    the batch (maps of its ground-truth classes)."""

    priority = 'LOW'

    def __init__(self, interval: int = 500, out_dir: str = 'snapshots'
                 ) -> None:
        self.interval = interval
        self.out_dir = out_dir

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            _seenet(runner).snapshot_next = True

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        model = _seenet(runner)
        snap = getattr(model, 'last_snapshot', None)
        if snap is None:
            return
        model.last_snapshot = None
        if runner.rank != 0:
            return
        pre = model.data_preprocessor
        mean = getattr(pre, 'mean', torch.zeros(3)).cpu().flatten()
        std = getattr(pre, 'std', torch.ones(3)).cpu().flatten()
        row = snapshot_image(snap, mean, std,
                             rgb=getattr(pre, '_channel_conversion', True))
        out_dir = osp.join(runner.work_dir, self.out_dir)
        os.makedirs(out_dir, exist_ok=True)
        path = osp.join(out_dir, f'iter_{runner.iter + 1}.png')
        tmp = path + '.tmp.png'
        cv2.imwrite(tmp, cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
        os.replace(tmp, path)


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
    """

    # before CheckpointHook (VERY_LOW), which saves in after_train_iter
    priority = 'LOW'

    def __init__(self) -> None:
        self._gathered = None

    @staticmethod
    def _states() -> dict:
        import random
        return dict(torch=torch.get_rng_state(),
                    cuda=torch.cuda.get_rng_state_all()
                    if torch.cuda.is_available() else None,
                    numpy=np.random.get_state(), python=random.getstate())

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
        import random
        torch.set_rng_state(state['torch'])
        if state.get('cuda') is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])
        np.random.set_state(state['numpy'])
        random.setstate(state['python'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        from mmengine.dist import get_rank
        states = checkpoint.get('rng_states')
        if not states or get_rank() >= len(states):
            return
        self._restore(states[get_rank()])
