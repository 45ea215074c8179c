"""Pictures of SeeNet's attention during training (image | M_A | T_A | M_B)."""
from __future__ import annotations

import os
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from ...fileio import write_image
from ...visualization import AttentionVisualizer
from .utils import unwrap_model


@HOOKS.register_module()
class AttentionSnapshotHook(Hook):
    """Every ``interval`` iterations, draw image | M_A | T_A | M_B of the
    first image of the batch (its ground-truth classes' maps).

    The hook runs its own forward pass after the training step, without
    gradients and in eval mode (BN running statistics are used and left
    alone, dropout is off, no random number is drawn), and restores the
    training mode, so training results do not change with or without it.
    The picture goes to the runner's visualizer backends as image
    ``attention_snapshot`` (step = iteration) and, with ``out_dir``, to
    ``{work_dir}/{out_dir}/iter_{N}.png``.

    Args:
        interval: iterations between snapshots.
        out_dir: folder under the work dir (None: backends only).
    """

    priority = 'LOW'

    def __init__(self, interval: int = 500,
                 out_dir: Optional[str] = 'snapshots') -> None:
        self.interval = interval
        self.out_dir = out_dir

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if data_batch is None or runner.rank != 0 or \
                not self.every_n_train_iters(runner, self.interval):
            return
        model = unwrap_model(runner)
        row = self.draw(model, data_batch, runner.visualizer)
        step = runner.iter + 1
        runner.visualizer.add_image('attention_snapshot', row, step=step)
        if self.out_dir:
            folder = osp.join(runner.work_dir, self.out_dir)
            os.makedirs(folder, exist_ok=True)
            write_image(osp.join(folder, f'iter_{step}.png'), row)

    @staticmethod
    def draw(model, data_batch: dict, visualizer=None):
        """The snapshot row of the batch's first image (RGB uint8)."""
        if not isinstance(visualizer, AttentionVisualizer):
            visualizer = AttentionVisualizer(name='attention_snapshot')
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                data = model.data_preprocessor(data_batch, False)
                inputs = data['inputs'][:1]
                samples = data['data_samples'][:1]
                labels = model._labels(samples, 1, inputs.device)
                out = model.forward_branches(inputs, labels, with_c=False)
        finally:
            model.train(was_training)
        pre = model.data_preprocessor
        mean = getattr(pre, 'mean', torch.zeros(3)).cpu().view(-1, 1, 1)
        std = getattr(pre, 'std', torch.ones(3)).cpu().view(-1, 1, 1)
        img = (inputs[0].float().cpu() * std + mean).clamp(0, 255).byte()
        img = img.permute(1, 2, 0).numpy()
        if not getattr(pre, '_channel_conversion', True):
            img = img[..., ::-1]  # the network saw BGR
        if labels is None:
            labels = out['labels']
        return visualizer.draw_snapshot(
            img, out['maps_a'][0].cpu(), labels[0].cpu(),
            out['ternary'][0].cpu() if 'ternary' in out else None,
            out['maps_b'][0].cpu() if 'maps_b' in out else None,
            norm=model.test_cfg['norm'])
