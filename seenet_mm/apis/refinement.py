"""Proxy labels refined by IRN's random walk over the boundary map of a
trained affinity network: :func:`refine_labels`, and the command line of
``tools/refine_labels.py`` over it.

    python tools/refine_labels.py CONFIG CKPT --attention-dir ATT
        --image-dir IMG --out-dir LABELS [--maps-out MAPS]
        [--saliency-dir SAL] [--seed-dir SEEDS] [--boundary-out DIR]
        [--split FILE] [--workers N] [--device cpu]
        [--radius R] [--beta B] [--steps T] [--sources cold|plain]
        [--bg-thr auto|T] [--bg-score auto|S] [--w 1.0]
        [--skip-missing] [--trust-checkpoint] [--cfg-options ...]

The walk's settings default to the config's ``model.test_cfg`` (completed
by ``AffinityNet``'s: IRN's radius 5, beta 10, 256 steps; cold sources,
auto background threshold and score); the options override them.

Per image, at the image's own size: the affinity network's links (mirror
averaged; IRN's from its boundary map, PSA's from its embedding with
``affinity='feature'``), the image's attention maps propagated over them
(:func:`seenet_mm.random_walk.propagate_links`; IRN's sources are weighted
by ``1 - B``), and then

- without ``--saliency-dir`` (IRN): the maps divided by their highest
  value, a background score, the argmax. IRN walks its CAMs as they are
  and scores the background 0.25 (``--sources plain --bg-score 0.25``):
  CAMs of ResNet-50 are near 0 on the background. Attention maps that stay
  warm there (the toy SeeNet's peaks lie at 0.2-0.9 on the background)
  would carry that warmth over the whole image, so by default the walk
  starts from the attention above the image's confident-background
  threshold (``--sources cold``: ``max(A - t_bg, 0) / (1 - t_bg)``, ``t_bg``
  by ``--bg-thr``, ``auto`` as the seeds') and the background score is
  Otsu's split of the walked maps' per-pixel peaks (``--bg-score auto``);
- with it: the saliency map is walked with the attention (the walk is
  linear per channel), each map divided by its own highest value, and
  SeeNet's Algorithm 1 labels the walked maps.

Writes LABELS/<name>.png (proxy-label format: dataset palette, 0..M, 255
ignore) and with ``--maps-out`` MAPS/<name>.npz (attention files of the
walked, normalised class maps: ``tools/eval_seeds.py`` scores them and
sweeps the background score). Writes are atomic; images done before are
skipped. Each image is computed on one thread, so the labels are the same
for any number of ``--workers``.
"""
from __future__ import annotations

import argparse
import glob
import os
import os.path as osp
import sys
import time
from multiprocessing import get_context
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from .. import locking
from ..attention_codec import load_attention, save_attention
from ..cli import cli_main, options_namespace
from ..crf import check_workers, cores_available
from ..datasets.proxy_label import (auto_thresholds, otsu_threshold,
                                    peak_map, proxy_label)
from ..fileio import (find_image, load_classes, load_label_png,
                      load_saliency, save_classes, save_grey_png,
                      save_label_png)
from ..random_walk import BETA, RADIUS, STEPS, propagate_links
from .image_list import read_names
from .proxy_labels import threshold_value

BG_SCORE = 0.25  # IRN's sem_seg_bg_thres
SOURCES = ('cold', 'plain')


def build_parser() -> argparse.ArgumentParser:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        prog='tools/refine_labels.py',
        description='Proxy labels refined by the random walk of IRN over '
        'the boundary map of a trained affinity network')
    parser.add_argument('config', help='the affinity network\'s config')
    parser.add_argument('checkpoint')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--image-dir', required=True,
                        help='JPEGImages (or images) folder')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--maps-out', default=None,
                        help='also write the walked maps as attention files')
    parser.add_argument('--boundary-out', default=None,
                        help='also write the boundary maps at the image '
                        'size as grey PNGs (for tools/make_gallery.py '
                        '--boundary-dir)')
    parser.add_argument('--saliency-dir', default=None,
                        help='walk the saliency maps too and label by '
                        'Algorithm 1 (default: IRN, no saliency)')
    parser.add_argument('--split', help='image names (default: every .npz '
                        'of the attention dir)')
    parser.add_argument('--workers', type=int, default=None,
                        help='processes (default: the cores available; '
                        '1 with --device cuda)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--seed-dir', default=None,
                        help='the confident seeds the affinity network '
                        'learnt from: kept where they are confident, the '
                        'walk labels their ignored pixels')
    # the walk's settings: the config's model.test_cfg unless given
    parser.add_argument('--radius', type=int, default=None,
                        help=f'links of the walk (IRN: {RADIUS})')
    parser.add_argument('--beta', type=float, default=None,
                        help=f'power of the affinities (IRN: {BETA:g})')
    parser.add_argument('--steps', type=int, default=None,
                        help=f'length of the walk (IRN: {STEPS})')
    parser.add_argument('--sources', choices=SOURCES, default=None,
                        help='what the walk starts from: the attention above '
                        'the confident-background threshold (cold) or the '
                        'attention as it is (plain, IRN)')
    parser.add_argument('--bg-thr', type=threshold_value, default=None,
                        help='--sources cold: the confident-background '
                        'threshold, or auto (the seeds\' rule)')
    parser.add_argument('--bg-score', type=threshold_value, default=None,
                        help='background score without saliency: a number '
                        f'(IRN: {BG_SCORE}) or auto (Otsu\'s split of the '
                        'walked peaks)')
    parser.add_argument('--w', type=float, default=1.0,
                        help='with --saliency-dir: Algorithm 1\'s weight')
    parser.add_argument('--skip-missing', action='store_true')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load a checkpoint that needs full unpickling')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser


def refine_image(model: torch.nn.Module, image: np.ndarray,
                 classes: Sequence[int], attention: np.ndarray,
                 saliency: Optional[np.ndarray] = None,
                 radius: int = RADIUS, beta: float = BETA,
                 steps: int = STEPS, bg_score='auto',
                 sources: str = 'cold', bg_thr='auto',
                 w: float = 1.0) -> Tuple[np.ndarray, np.ndarray]:
    """One image's refined label and walked maps.

    Args:
        model: an ``AffinityNet`` in eval mode.
        image: uint8 ``[H, W, 3]``, BGR (as ``mmcv.imread``).
        classes: the K class ids of ``attention``.
        attention: ``[K, H, W]`` in [0, 1].
        saliency: optional ``[H, W]`` in [0, 1] (Algorithm 1 on the walked
            maps); without it a background score ``bg_score``: a number
            (IRN: 0.25) or ``'auto'``.
        sources: ``'cold'`` (the attention above ``bg_thr``, a number or
            ``'auto'``) or ``'plain'`` (the attention, IRN).

    Returns:
        uint8 ``[H, W]`` label, float32 ``[K, H, W]`` walked maps in
        [0, 1], and the float32 ``[h, w]`` boundary map (stride grid; PSA:
        its edge picture, ``AffinityNet.boundary_map``).
    """
    height, width = image.shape[:2]
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    device = next(model.parameters()).device
    inputs = torch.from_numpy(np.ascontiguousarray(
        image.transpose(2, 0, 1))).to(device)
    attention = np.asarray(attention, np.float32)
    if sources == 'cold' and saliency is None:
        if bg_thr == 'auto':
            bg_thr = auto_thresholds(attention)[1]
        attention = np.clip((attention - bg_thr) / (1 - bg_thr), 0, None)
    elif sources not in SOURCES:
        raise ValueError(f'sources must be one of {SOURCES}, got {sources!r}')
    with torch.no_grad():
        data = model.data_preprocessor(dict(inputs=[inputs]), False)
        links, source_weight, boundary = model.walk_links(data['inputs'],
                                                          radius)
        boundary = boundary[0]
        maps = torch.from_numpy(attention).to(device)
        if saliency is not None:
            maps = torch.cat([maps, torch.from_numpy(
                np.asarray(saliency, np.float32))[None].to(device)])
        walked = propagate_links(
            maps, links[:, 0], None if source_weight is None else
            source_weight[0], radius, beta, steps)
        walked = walked.clamp(min=0).cpu().numpy()
        boundary = boundary.float().cpu().numpy()
    if saliency is None:
        walked = walked / max(float(walked.max(initial=0.0)), 1e-5)
        if bg_score == 'auto':
            bg_score = otsu_threshold(peak_map(walked))
        scores = np.concatenate([np.full((1, height, width), bg_score,
                                         np.float32), walked])
        keys = np.concatenate([[0], classes])
        label = keys[scores.argmax(0)].astype(np.uint8)
        return label, walked.astype(np.float32), boundary

    peaks = walked.reshape(len(walked), -1).max(1)
    walked = walked / np.maximum(peaks, 1e-5)[:, None, None]
    label = proxy_label(walked[-1], walked[:-1], classes, w=w)
    return label, walked[:-1].astype(np.float32), boundary


# the model of a worker process: the parent's when forked, else loaded by
# _init_worker
_WORKER: Dict[str, object] = {}


def _init_worker(opts: dict) -> None:
    torch.set_num_threads(1)
    if 'model' not in _WORKER:  # spawned: a fresh interpreter
        _WORKER['model'] = _load_model(opts)
    _WORKER['opts'] = opts


def _load_model(opts: dict) -> torch.nn.Module:
    from ..cli import load_config
    from .attention import init_model
    cfg = load_config(opts['config'], opts['cfg_options'], None, 'none')
    model = init_model(cfg, opts['checkpoint'], opts['trust'],
                       expect=('walk_links', 'an affinity network'))
    return model.to(opts['device']).eval()


def _refine_job(name: str) -> Tuple[str, str]:
    return refine_one(name, _WORKER['model'], _WORKER['opts'])


def refine_one(name: str, model: torch.nn.Module, opts: dict
               ) -> Tuple[str, str]:
    """Refine one image by name; returns ``(name, 'done' | 'missing: ...')``.
    """
    import mmcv
    try:
        classes, attention = load_attention(
            osp.join(opts['att_dir'], name + '.npz'), opts['num_classes'])
        img_path = find_image(opts['img_dir'], name)
        saliency = None
        if opts['sal_dir']:
            saliency, _ = load_saliency(
                osp.join(opts['sal_dir'], name + '.png'),
                attention.shape[1:])
        seeds = None
        if opts['seed_dir']:
            seed_path = osp.join(opts['seed_dir'], name + '.png')
            seeds = load_label_png(seed_path)
    except FileNotFoundError as err:
        if opts['skip']:
            return name, f'missing: {err}'
        raise
    image = mmcv.imread(img_path)  # BGR, as the training pipeline
    if image.shape[:2] != attention.shape[1:]:
        raise ValueError(f'{img_path}: size {image.shape[:2]} differs from '
                         f'its attention {attention.shape[1:]} in '
                         f'{opts["att_dir"]}')
    if not np.isfinite(attention).all():
        raise ValueError(f'{osp.join(opts["att_dir"], name + ".npz")}: '
                         f'the maps hold NaN or infinity')
    if seeds is not None:
        if seeds.shape != attention.shape[1:]:
            raise ValueError(f'{seed_path}: size {seeds.shape} differs from '
                             f'its attention {attention.shape[1:]}')
        bad = np.setdiff1d(np.unique(seeds), np.concatenate(
            [[0, 255], classes]))
        if bad.size:
            raise ValueError(f'{seed_path}: values {bad.tolist()} are '
                             f'neither 0, 255 nor the image\'s classes '
                             f'{np.asarray(classes).tolist()}')
    label, maps, boundary = refine_image(
        model, image, classes, attention, saliency,
        opts['radius'], opts['beta'], opts['steps'], opts['bg_score'],
        opts['sources'], opts['bg_thr'], opts['w'])
    if seeds is not None:
        label = np.where(seeds == 255, label, seeds).astype(np.uint8)
    if opts['maps_out']:
        save_attention(osp.join(opts['maps_out'], name + '.npz'), classes,
                       maps)
    if opts['boundary_out']:
        # nearest: each cell of the stride grid as a block of the image
        stride = -(-image.shape[0] // boundary.shape[0])
        up = np.kron(boundary, np.ones((stride, stride), np.float32))
        save_grey_png(osp.join(opts['boundary_out'], name + '.png'),
                      up[:image.shape[0], :image.shape[1]])
    save_label_png(osp.join(opts['out_dir'], name + '.png'), label)
    return name, 'done'


def refine_labels(config: str, checkpoint: str, attention_dir: str,
                  image_dir: str, out_dir: str, **options) -> dict:
    """Write a refined label per attention file of ``attention_dir``
    (resumable); returns ``{'images', 'refined', 'skipped',
    'seconds per image'}``. ``options`` are the command line's, by name
    (``maps_out``, ``saliency_dir``, ``split``, ``workers``, ``device``,
    ``radius``, ``beta``, ``steps``, ``sources``, ``bg_thr``, ``bg_score``,
    ``w``, ``skip_missing``,
    ``trust_checkpoint``, ``cfg_options``)."""
    required = [config, checkpoint, '--attention-dir', attention_dir,
                '--image-dir', image_dir, '--out-dir', out_dir]
    return _run(options_namespace(build_parser(), required, options))


WALK_KEYS = ('radius', 'beta', 'steps', 'sources', 'bg_thr', 'bg_score')


def walk_settings(args: argparse.Namespace) -> dict:
    """The walk's settings: the config's ``model.test_cfg`` (completed by
    ``AffinityNet``'s defaults), overridden by the options given."""
    from ..cli import load_config
    from ..models.segmentors.affinity_net import TEST_CFG
    cfg = load_config(args.config, args.cfg_options, None, 'none')
    walk = dict(TEST_CFG, **(cfg.model.get('test_cfg') or {}))
    for key in WALK_KEYS:
        if getattr(args, key) is not None:
            walk[key] = getattr(args, key)
    return walk


def _check(args: argparse.Namespace, walk: dict) -> None:
    for path, what in ((args.attention_dir, '--attention-dir'),
                       (args.image_dir, '--image-dir'),
                       (args.saliency_dir, '--saliency-dir'),
                       (args.seed_dir, '--seed-dir')):
        if path is not None and not osp.isdir(path):
            raise FileNotFoundError(f'{what}: {path} is not a folder')
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    where = f'(--option or {args.config}: model.test_cfg)'
    if walk['radius'] < 2:
        raise ValueError(f'radius must be at least 2 {where}, got '
                         f'{walk["radius"]}')
    if walk['beta'] <= 0:
        raise ValueError(f'beta must be > 0 {where}, got {walk["beta"]}')
    if walk['steps'] < 1:
        raise ValueError(f'steps must be >= 1 {where}, got {walk["steps"]}')
    if walk['sources'] not in SOURCES:
        raise ValueError(f'sources must be one of {SOURCES} {where}, got '
                         f'{walk["sources"]!r}')
    for key in ('bg_score', 'bg_thr'):
        value = walk[key]
        if value != 'auto' and not (isinstance(value, (int, float))
                                    and 0 <= value < 1):
            raise ValueError(f'{key} must be auto or in [0, 1) {where}, '
                             f'got {value!r}')


def _run(args: argparse.Namespace) -> dict:
    walk = walk_settings(args)
    _check(args, walk)
    classes = load_classes(args.attention_dir)
    if args.split:
        names = read_names(args.split)
    else:
        names = sorted(osp.basename(p)[:-4] for p in glob.glob(
            osp.join(args.attention_dir, '*.npz')))
    workers = args.workers
    if workers is None:
        workers = 1 if args.device.startswith('cuda') else cores_available()
    workers = check_workers(workers, '--workers')
    opts = dict(config=args.config, checkpoint=args.checkpoint,
                cfg_options=args.cfg_options, trust=args.trust_checkpoint,
                device=args.device, att_dir=args.attention_dir,
                img_dir=args.image_dir, sal_dir=args.saliency_dir,
                out_dir=args.out_dir, maps_out=args.maps_out,
                boundary_out=args.boundary_out,
                seed_dir=args.seed_dir, skip=args.skip_missing,
                num_classes=len(classes), w=args.w, **walk)
    model = _load_model(opts)  # a bad config or checkpoint fails here
    taken = locking.acquire(args.out_dir)
    try:
        save_classes(args.out_dir, classes)
        if args.maps_out:
            os.makedirs(args.maps_out, exist_ok=True)
            save_classes(args.maps_out, classes)
        if args.boundary_out:
            os.makedirs(args.boundary_out, exist_ok=True)

        def done(n):
            return osp.isfile(osp.join(args.out_dir, n + '.png')) and (
                not args.maps_out
                or osp.isfile(osp.join(args.maps_out, n + '.npz'))) and (
                not args.boundary_out
                or osp.isfile(osp.join(args.boundary_out, n + '.png')))

        todo = [n for n in names if not done(n)]
        mode = 'Algorithm 1 on the walked maps' if args.saliency_dir \
            else (f'IRN, sources {walk["sources"]}, background score '
                  f'{walk["bg_score"]}')
        if args.seed_dir:
            mode += f'; confident seeds of {args.seed_dir} kept'
        print(f'{len(names)} images, {len(names) - len(todo)} refined '
              f'before; {mode}; radius {walk["radius"]}, beta '
              f'{walk["beta"]:g}, {walk["steps"]} steps', flush=True)
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(todo), file=sys.stdout) if todo else None
        missing = []
        start = time.perf_counter()
        try:
            if workers > 1 and len(todo) > 1:
                # on the CPU the workers are forked with the model loaded
                # (each runs one thread, as DataLoader workers do); CUDA
                # needs fresh interpreters that load it themselves
                cpu = str(opts['device']).startswith('cpu')
                if cpu:
                    _WORKER['model'] = model
                del model
                with get_context('fork' if cpu else 'spawn').Pool(
                        workers, initializer=_init_worker,
                        initargs=(opts, )) as pool:
                    for name, status in pool.imap_unordered(
                            _refine_job, todo, chunksize=1):
                        if status.startswith('missing'):
                            missing.append(status)
                        bar.update()
            else:
                threads = torch.get_num_threads()
                torch.set_num_threads(1)  # as each worker: same labels
                try:
                    for name in todo:
                        _, status = refine_one(name, model, opts)
                        if status.startswith('missing'):
                            missing.append(status)
                        bar.update()
                finally:
                    torch.set_num_threads(threads)
        except (FileNotFoundError, ValueError):
            print(flush=True)
            raise
        finally:
            _WORKER.clear()
        seconds = time.perf_counter() - start
        if todo:
            print()
        for line in missing[:20]:
            print(f'warning: skipped, {line}')
        refined = len(todo) - len(missing)
        print(f'refined labels in {args.out_dir}: {refined} written, '
              f'{len(missing)} skipped for missing files', flush=True)
    finally:
        if taken:
            locking.release(args.out_dir)
    return {'images': len(names), 'refined': refined,
            'skipped': len(missing),
            'seconds per image': seconds / refined if refined else None}


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/refine_labels.py``: parse ``argv`` and run."""
    cli_main(lambda: _run(build_parser().parse_args(argv)))
