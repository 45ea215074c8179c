"""Proxy labels refined by IRN's random walk over the boundary map of a
trained affinity network: :func:`refine_labels`, which
``tools/refine_labels.py`` calls (its command line is there).

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

import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..attention_codec import load_attention, save_attention
from ..crf import check_workers, cores_available
from ..datasets.label_rules import (auto_thresholds, otsu_threshold,
                                    peak_map, proxy_label)
from ..fileio import (find_image, load_classes, load_label_png,
                      load_saliency, save_classes, save_grey_png,
                      save_label_png)
from ..random_walk import BETA, RADIUS, STEPS, propagate_links
from .per_image import for_each_image, image_names

BG_SCORE = 0.25  # IRN's sem_seg_bg_thres
SOURCES = ('cold', 'plain')


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


WALK_KEYS = ('radius', 'beta', 'steps', 'sources', 'bg_thr', 'bg_score')


def walk_settings(config: str, cfg_options: Optional[dict],
                  given: Dict[str, object]) -> dict:
    """The walk's settings: the config's ``model.test_cfg`` (completed by
    ``AffinityNet``'s defaults), overridden by those ``given`` (None: not
    given)."""
    from ..cli import load_config
    from ..models.segmentors.affinity_net import TEST_CFG
    cfg = load_config(config, cfg_options, None, 'none')
    walk = dict(TEST_CFG, **(cfg.model.get('test_cfg') or {}))
    for key in WALK_KEYS:
        if given.get(key) is not None:
            walk[key] = given[key]
    return walk


def _check(config: str, checkpoint: str, walk: dict,
           folders: Dict[str, Optional[str]]) -> None:
    for what, path in folders.items():
        if path is not None and not osp.isdir(path):
            raise FileNotFoundError(f'{what}: {path} is not a folder')
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    where = f'(--option or {config}: model.test_cfg)'
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


def refine_labels(config: str, checkpoint: str, attention_dir: str,
                  image_dir: str, out_dir: str, *,
                  maps_out: Optional[str] = None,
                  boundary_out: Optional[str] = None,
                  saliency_dir: Optional[str] = None,
                  seed_dir: Optional[str] = None,
                  split: Optional[str] = None,
                  workers: Optional[int] = None, device: str = 'cpu',
                  radius: Optional[int] = None,
                  beta: Optional[float] = None,
                  steps: Optional[int] = None,
                  sources: Optional[str] = None,
                  bg_thr: Union[float, str, None] = None,
                  bg_score: Union[float, str, None] = None,
                  w: float = 1.0, skip_missing: bool = False,
                  trust_checkpoint: bool = False,
                  cfg_options: Optional[Dict[str, object]] = None) -> dict:
    """Write a refined label per attention file of ``attention_dir``
    (resumable: images done before are kept).

    Args:
        config, checkpoint: the affinity network (IRN's, or PSA's).
        attention_dir: the attention files walked.
        image_dir: the images (``JPEGImages`` or ``images``).
        out_dir: where the labels go (``<name>.png``).
        maps_out: also write the walked maps as attention files here.
        boundary_out: also write the boundary maps, at the image's size,
            as grey PNGs here (for the gallery).
        saliency_dir: walk the saliency maps too and label by Algorithm 1
            (default: IRN, no saliency).
        seed_dir: the confident seeds the network learnt from: kept where
            they are confident, the walk labels their ignored pixels.
        split: a file of the image names (default: every attention file).
        workers: processes (default: the cores; 1 with ``device='cuda'``).
        device: where the network runs.
        radius, beta, steps, sources, bg_thr, bg_score: the walk; None
            takes the config's ``model.test_cfg`` (completed by
            ``AffinityNet``'s: IRN's radius 5, beta 10, 256 steps; cold
            sources, ``'auto'`` background threshold and score).
        w: with ``saliency_dir``: Algorithm 1's weight.
        skip_missing: skip an image with a missing input, with a warning.
        trust_checkpoint: load a checkpoint that needs full unpickling.
        cfg_options: config keys to override (``{'a.b': 1}``).

    Returns:
        ``{'images', 'refined', 'skipped', 'seconds per image'}``.
    """
    walk = walk_settings(config, cfg_options, dict(
        radius=radius, beta=beta, steps=steps, sources=sources,
        bg_thr=bg_thr, bg_score=bg_score))
    _check(config, checkpoint, walk, {
        '--attention-dir': attention_dir, '--image-dir': image_dir,
        '--saliency-dir': saliency_dir, '--seed-dir': seed_dir})
    classes = load_classes(attention_dir)
    names = image_names(attention_dir, split)
    if workers is None:
        workers = 1 if device.startswith('cuda') else cores_available()
    workers = check_workers(workers, '--workers')
    opts = dict(config=config, checkpoint=checkpoint,
                cfg_options=cfg_options, trust=trust_checkpoint,
                device=device, att_dir=attention_dir, img_dir=image_dir,
                sal_dir=saliency_dir, out_dir=out_dir, maps_out=maps_out,
                boundary_out=boundary_out, seed_dir=seed_dir,
                skip=skip_missing, num_classes=len(classes), w=w, **walk)
    model = _load_model(opts)  # a bad config or checkpoint fails here
    for folder in (maps_out, boundary_out):
        if folder:
            os.makedirs(folder, exist_ok=True)
    if maps_out:
        save_classes(maps_out, classes)

    def done(n: str) -> bool:
        return osp.isfile(osp.join(out_dir, n + '.png')) and (
            not maps_out or osp.isfile(osp.join(maps_out, n + '.npz'))) \
            and (not boundary_out
                 or osp.isfile(osp.join(boundary_out, n + '.png')))

    mode = 'Algorithm 1 on the walked maps' if saliency_dir \
        else (f'IRN, sources {walk["sources"]}, background score '
              f'{walk["bg_score"]}')
    if seed_dir:
        mode += f'; confident seeds of {seed_dir} kept'
    # each image on one thread, in this process or in each worker: the
    # same labels for any number of workers. On the CPU the workers are
    # forked with the model loaded (as DataLoader workers); CUDA needs
    # fresh interpreters that load it themselves
    cpu = str(device).startswith('cpu')
    _WORKER.update(model=model, opts=opts)
    del model
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run = for_each_image(
            names, _refine_job, out_dir, done=done, classes=classes,
            workers=workers, chunksize=1,
            start_method='fork' if cpu else 'spawn',
            initializer=_init_worker, initargs=(opts, ), what='refined',
            header=f'; {mode}; radius {walk["radius"]}, beta '
                   f'{walk["beta"]:g}, {walk["steps"]} steps')
    finally:
        torch.set_num_threads(threads)
        _WORKER.clear()
    refined = run.written
    print(f'refined labels in {out_dir}: {refined} written, '
          f'{len(run.missing)} skipped for missing files', flush=True)
    return {'images': run.images, 'refined': refined,
            'skipped': len(run.missing),
            'seconds per image': run.seconds / refined if refined else None}
