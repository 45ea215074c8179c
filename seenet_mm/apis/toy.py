"""The main job's own data: the synthetic toy set
(:func:`make_toy_dataset`, ``tools/make_toy_dataset.py``) and the toy
stand-in for ImageNet weights (:func:`make_standin`,
``tools/make_standin.py``).

The toy set: VOC class names (the default) give VOC's layout
(DIR/VOCdevkit/VOC2012); any other names, or ``--format folder``, the
own-folder format in DIR (images/, masks/, saliency/, train.json, val.json).

The stand-in: writes the pretraining set (the toy generator with all 20
class styles, other images than the main job's, no context), trains the
config's VGG16-tiny on it (resumable) and keeps the backbone's weights as
DIR/vgg16-tiny.pth, DIR being the shared stand-in folder
($SEENET_STANDIN_DIR, else ~/.cache/seenet_mm/standin) where every toy
config finds it (``standin://vgg16-tiny``). A stand-in made with the same
settings is kept; other settings need --overwrite (--if-missing keeps any).

Of the package, only this module imports :mod:`seenet_mm.toy`: the
generator stays data generation only.
"""
from __future__ import annotations

import os
import os.path as osp
import time
from typing import Any, Dict, Optional, Sequence

import torch

from ..cli import amp_requested, build_runner, load_config, repo_root
from ..engine.amp import set_amp
from ..compat import load_local_checkpoint
from ..fileio import atomic_write, last_checkpoint
from ..locking import holder_pids, work_dir_lock
from ..standin import DEFAULT_NAME, standin_dir

from ..toy import (DEFAULT_CLASSES, VOC_CLASSES, ToyConfig,
                   generate_toy_dataset, generate_toy_folder)


def make_toy_dataset(out: str, *, seed: int = 0, num_images: int = 500,
                     val_fraction: float = 0.2,
                     classes: Sequence[str] = tuple(DEFAULT_CLASSES),
                     context: bool = False,
                     saliency_context_prob: float = 0.0,
                     format: str = 'auto', overwrite: bool = False) -> str:
    """Write the toy set into ``out``; return its root (the VOC2012 folder,
    or ``out`` in the own-folder format).

    Args:
        out: the folder that receives ``VOCdevkit/VOC2012`` (VOC layout)
            or the own-folder files.
        seed: the generator's seed.
        num_images: images in all.
        val_fraction: the share of them in val.
        classes: the class names that may appear (VOC names: VOC layout;
            any other name: the own-folder format).
        context: class-correlated context next to the objects (bands of
            class-specific texture), weak body cues, and context masks in
            ``context/``.
        saliency_context_prob: with ``context``: the share of the images
            whose saliency map also fires on the context.
        format: ``'voc'``, ``'folder'`` or ``'auto'`` (voc when every class
            is a VOC name).
        overwrite: replace an existing set made with other settings.
    """
    classes = list(classes)
    cfg = ToyConfig(num_images=num_images, seed=seed,
                    val_fraction=val_fraction, classes=classes,
                    context=context,
                    saliency_context_prob=saliency_context_prob)
    if not 0 <= saliency_context_prob <= 1:
        raise ValueError(f'--saliency-context-prob must be in [0, 1], got '
                         f'{saliency_context_prob}')
    if saliency_context_prob and not context:
        raise ValueError('--saliency-context-prob needs --context')
    fmt = format
    if fmt == 'auto':
        fmt = 'voc' if all(c in VOC_CLASSES[1:] for c in classes) \
            else 'folder'
    start = time.time()
    make = generate_toy_dataset if fmt == 'voc' else generate_toy_folder
    root = make(out, cfg, overwrite=overwrite)
    print(f'toy set ready in {root} ({cfg.num_images} images, {fmt} '
          f'format, {time.time() - start:.1f} s)')
    return root


CONFIG = osp.join(repo_root(), 'configs', 'toy',
                  'cam_vgg16-tiny_1xb16-1000_standin-112x112.py')
# the pretraining set's toy seed: far from the main job's (0 and up), so
# that none of its images is the main job's
SEED_OFFSET = 1000


def standin_set(folder: str, seed: int, num_images: int) -> str:
    """The pretraining set: every toy class style (the 20 VOC names), other
    images than the main job's, no class-correlated context."""
    return generate_toy_folder(folder, ToyConfig(
        num_images=num_images, val_fraction=0.1, seed=SEED_OFFSET + seed,
        classes=tuple(VOC_CLASSES[1:])), progress=False)


def make_standin(*, config: str = CONFIG, seed: int = 0,
                 num_images: int = 2000, out_dir: Optional[str] = None,
                 name: str = DEFAULT_NAME, overwrite: bool = False,
                 if_missing: bool = False, amp: Optional[bool] = None,
                 cfg_options: Optional[Dict[str, Any]] = None) -> str:
    """Make (or keep) the toy stand-in; return its path.

    Args:
        config: the pretraining config.
        seed: the seed of the pretraining set and of the training.
        num_images: images of the pretraining set.
        out_dir: the stand-in folder (default: the shared one).
        name: the stand-in's name (``standin://<name>``).
        overwrite: replace a stand-in made with other settings.
        if_missing: keep a stand-in made with any settings (the main job:
            whatever stand-in the toy configs load).
        amp: bfloat16 (True), float32 (False), or the config key (None).
        cfg_options: config keys to override.
    """
    out = osp.abspath(out_dir or standin_dir())
    target = osp.join(out, f'{name}.pth')
    options = dict(cfg_options or {})
    cfg = load_config(config, options, None, 'none')
    # bfloat16 or float32: stand-ins made either way differ in their weights
    amp = amp_requested(cfg, amp)
    settings = dict(config=osp.basename(config), seed=seed,
                    num_images=num_images, cfg_options=dict(options),
                    amp=amp)
    # one pretraining at a time; the main job (if_missing) waits for
    # another job that is making the stand-in, and then keeps it
    busy = [p for p in holder_pids(out) if p != os.getpid()] \
        if if_missing and osp.isdir(out) else []
    if busy:
        print(f'waiting for the run making the stand-in in {out} (PID '
              f'{busy[0]})', flush=True)
    with work_dir_lock(out, wait=if_missing):
        if osp.isfile(target):
            meta = load_local_checkpoint(target).get('meta', {})
            if meta.get('settings') == settings or if_missing:
                print(f'stand-in {target} exists: kept (settings '
                      f'{meta.get("settings")})', flush=True)
                return target
            if not overwrite:
                raise FileExistsError(
                    f'stand-in {target} was made with other settings '
                    f'({meta.get("settings")}); use --overwrite to replace '
                    'it, or --out-dir for another folder')
        start = time.time()
        data = standin_set(osp.join(out, f'data_seed{seed}'),
                           seed, num_images)
        # the config read above, pointed at the set and the work dir
        cfg.merge_from_dict({
            'train_dataloader.dataset.data_root': data,
            'val_dataloader.dataset.data_root': data,
            'test_dataloader.dataset.data_root': data,
            'randomness.seed': seed})
        work = osp.join(out, f'work_{name}_seed{seed}')
        cfg.work_dir = work
        if amp:
            set_amp(cfg)
        cfg.resume = True  # a killed pretraining continues
        runner = build_runner(cfg)
        runner.train()  # ends with a validation pass (val_interval)
        scalars = runner.message_hub.log_scalars
        metrics = {k[len('val/'):]: scalars[k].current() for k in scalars
                   if k.startswith('val/cls/mAP')}
        checkpoint = load_local_checkpoint(last_checkpoint(work))
        backbone = {k: v for k, v in checkpoint['state_dict'].items()
                    if k.startswith('backbone.')}
        meta = dict(settings=settings,
                    val={k: float(v) for k, v in metrics.items()},
                    seconds=round(time.time() - start, 1))
        with atomic_write(target) as f:
            torch.save(dict(state_dict=backbone, meta=meta), f)
        print(f'stand-in {target}: {len(backbone)} backbone tensors, val '
              f'mAP {meta["val"].get("cls/mAP", float("nan")):.2f}, '
              f'{meta["seconds"]:.0f} s', flush=True)
    return target
