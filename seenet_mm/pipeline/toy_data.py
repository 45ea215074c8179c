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

import argparse
import os.path as osp
import time
from typing import Optional, Sequence

import torch
from mmengine.config import DictAction

from ..cli import (add_amp_args, amp_requested, build_runner, cli_main,
                   load_config, options_namespace)
from ..engine.amp import set_amp
from ..compat import load_local_checkpoint
from ..fileio import atomic_write, last_checkpoint
from ..locking import work_dir_lock
from ..standin import DEFAULT_NAME, standin_dir
from .context import repo_root
from ..toy import (DEFAULT_CLASSES, VOC_CLASSES, ToyConfig,
                   generate_toy_dataset, generate_toy_folder)


def build_toy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='tools/make_toy_dataset.py',
        description='Write the synthetic toy set')
    parser.add_argument('--out', required=True,
                        help='folder that receives VOCdevkit/VOC2012 (VOC '
                        'layout) or the own-folder files')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-images', type=int, default=500)
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument('--classes', nargs='+', default=list(DEFAULT_CLASSES),
                        help='class names that may appear (VOC names: VOC '
                        'layout; any other name: the own-folder format)')
    parser.add_argument('--context', action='store_true',
                        help='class-correlated context next to the objects '
                        '(bands of class-specific texture), weak body cues, '
                        'and context masks in context/; off: the '
                        'default toy set')
    parser.add_argument('--saliency-context-prob', type=float, default=0.0,
                        help='with --context: the share of the images whose '
                        'saliency map also fires on the context (0.4-0.9), '
                        'as real saliency models do on some; default 0')
    parser.add_argument('--format', choices=['auto', 'voc', 'folder'],
                        default='auto', help='auto: voc when every class is '
                        'a VOC name, else folder')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing set with other settings')
    return parser


def make_toy_dataset(out: str, **options) -> str:
    """Write the toy set into ``out``; return its root (the VOC2012 folder,
    or ``out`` in the own-folder format).

    ``options`` are the command line's, by name: ``seed``, ``num_images``,
    ``val_fraction``, ``classes``, ``context``, ``saliency_context_prob``,
    ``format``, ``overwrite``;
    their defaults are the command line's.
    """
    return _make_toy_dataset(options_namespace(build_toy_parser(),
                                               ['--out', out], options))


def _make_toy_dataset(args: argparse.Namespace) -> str:
    cfg = ToyConfig(num_images=args.num_images, seed=args.seed,
                    val_fraction=args.val_fraction, classes=args.classes,
                    context=args.context,
                    saliency_context_prob=args.saliency_context_prob)
    if not 0 <= args.saliency_context_prob <= 1:
        raise ValueError(f'--saliency-context-prob must be in [0, 1], got '
                         f'{args.saliency_context_prob}')
    if args.saliency_context_prob and not args.context:
        raise ValueError('--saliency-context-prob needs --context')
    fmt = args.format
    if fmt == 'auto':
        fmt = 'voc' if all(c in VOC_CLASSES[1:] for c in args.classes) \
            else 'folder'
    start = time.time()
    make = generate_toy_dataset if fmt == 'voc' else generate_toy_folder
    root = make(args.out, cfg, overwrite=args.overwrite)
    print(f'toy set ready in {root} ({cfg.num_images} images, {fmt} '
          f'format, {time.time() - start:.1f} s)')
    return root


def toy_dataset_main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/make_toy_dataset.py``: parse ``argv`` and run."""
    cli_main(lambda: _make_toy_dataset(build_toy_parser().parse_args(argv)))


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


def build_standin_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='tools/make_standin.py',
        description='Make the toy stand-in for ImageNet weights (once per '
        'machine)')
    parser.add_argument('--config', default=CONFIG,
                        help='the pretraining config')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the pretraining set and the training')
    parser.add_argument('--num-images', type=int, default=2000)
    parser.add_argument('--out-dir', default=None,
                        help='the stand-in folder (default: the shared one)')
    parser.add_argument('--name', default=DEFAULT_NAME)
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a stand-in made with other settings')
    parser.add_argument('--if-missing', action='store_true',
                        help='keep a stand-in made with any settings (the '
                        'main job: whatever stand-in the toy configs load)')
    add_amp_args(parser)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser


def make_standin(**options) -> str:
    """Make (or keep) the toy stand-in; return its path.

    ``options`` are the command line's, by name: ``config``, ``seed``,
    ``num_images``, ``out_dir``, ``name``, ``overwrite``, ``if_missing``,
    ``amp``, ``cfg_options``; their defaults are the command line's.
    """
    return _make_standin(options_namespace(build_standin_parser(), [],
                                           options))


def _make_standin(args: argparse.Namespace) -> str:
    out = osp.abspath(args.out_dir or standin_dir())
    target = osp.join(out, f'{args.name}.pth')
    options = dict(args.cfg_options or {})
    cfg = load_config(args.config, options, None, 'none')
    # bfloat16 or float32: stand-ins made either way differ in their weights
    amp = amp_requested(cfg, args.amp)
    settings = dict(config=osp.basename(args.config), seed=args.seed,
                    num_images=args.num_images, cfg_options=dict(options),
                    amp=amp)
    with work_dir_lock(out):  # one pretraining at a time
        if osp.isfile(target):
            meta = load_local_checkpoint(target).get('meta', {})
            if meta.get('settings') == settings or args.if_missing:
                print(f'stand-in {target} exists: kept (settings '
                      f'{meta.get("settings")})', flush=True)
                return target
            if not args.overwrite:
                raise FileExistsError(
                    f'stand-in {target} was made with other settings '
                    f'({meta.get("settings")}); use --overwrite to replace '
                    'it, or --out-dir for another folder')
        start = time.time()
        data = standin_set(osp.join(out, f'data_seed{args.seed}'),
                           args.seed, args.num_images)
        # the config read above, pointed at the set and the work dir
        cfg.merge_from_dict({
            'train_dataloader.dataset.data_root': data,
            'val_dataloader.dataset.data_root': data,
            'test_dataloader.dataset.data_root': data,
            'randomness.seed': args.seed})
        work = osp.join(out, f'work_{args.name}_seed{args.seed}')
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


def standin_main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/make_standin.py``: parse ``argv`` and run."""
    cli_main(lambda: _make_standin(build_standin_parser().parse_args(argv)))
