"""Proxy labels from attention maps and saliency maps (SeeNet Algorithm 1),
or from the attention maps alone (--method threshold):
:func:`make_proxy_labels`, which ``tools/make_proxy_labels.py`` calls (its
command line is there).

For every ATT/<name>.npz writes LABELS/<name>.png (VOC palette, 0..M, 255
= ignore) atomically; labels already written are skipped. The class list
(ATT/classes.json, VOC's when absent) is copied to LABELS/classes.json. A
missing saliency or attention file is an error naming it (with
--skip-missing: a warning, and a count at the end). A saliency map of
another size than the attention is resized to it (counted in the summary).

--method threshold (IRN's confident regions, no saliency): the strongest
class where its attention exceeds --fg-thr, background where no attention
exceeds --bg-thr, 255 between; with --crf each side is refined by a dense
CRF with IRN's parameters. The thresholds are ``auto`` by default: per
image from Otsu's split of its maps
(:func:`seenet_mm.datasets.label_rules.auto_thresholds`). Before anything
is written, labels with too little confident background or foreground to
teach anything are one error with the maps' quantiles and thresholds to
try (:func:`check_threshold_labels`).

The images are labelled in a pool of --workers processes (with --crf:
--crf-workers, which wins; default: the cores available), each image's
label and CRF in one job; the labels are the same for any number of
workers.
"""
from __future__ import annotations

import os.path as osp
from functools import partial
from typing import Optional, Sequence, Tuple, Union

from ..crf import check_workers, cores_available
from ..datasets.label_rules import (AUTO_BG_MARGIN, AUTO_FG_MARGIN,
                                    BG_THRESHOLD, FG_THRESHOLD,
                                    PROXY_METHODS, check_teaching,
                                    label_shares, peak_map, proxy_label,
                                    threshold_proxy_label)
from ..attention_codec import load_attention
from ..fileio import find_image, load_classes, load_saliency, save_label_png
from .per_image import PerImageRun, for_each_image, image_names


def resolve_thresholds(fg_thr, bg_thr) -> tuple:
    """The thresholds of ``--method threshold``: ``auto`` for both when
    neither is given; IRN's value for the one not given when the other is
    a number."""
    if fg_thr is None and bg_thr is None:
        return 'auto', 'auto'
    if fg_thr is None:
        fg_thr = 'auto' if bg_thr == 'auto' else FG_THRESHOLD
    if bg_thr is None:
        bg_thr = 'auto' if fg_thr == 'auto' else BG_THRESHOLD
    return fg_thr, bg_thr


def label_one(name: str, opts: dict) -> Tuple[str, str]:
    """Label one image; returns ``(name, status)``, status ``done``,
    ``resized`` (its saliency map was resized) or ``missing: ...``."""
    att_path = osp.join(opts['att_dir'], name + '.npz')
    resized = False
    try:
        classes, attention = load_attention(att_path, opts['num_classes'])
        if opts['method'] == 'saliency':
            sal, resized = load_saliency(
                osp.join(opts['sal_dir'], name + '.png'),
                attention.shape[1:])
    except FileNotFoundError as err:
        if opts['skip']:
            return name, f'missing: {err}'
        raise
    image = None
    if opts['img_dir'] is not None:
        import mmcv
        try:
            img_path = find_image(opts['img_dir'], name)
        except FileNotFoundError as err:
            if opts['skip']:
                return name, f'missing: {err}'
            raise
        image = mmcv.imread(img_path, channel_order='rgb')
        if image.shape[:2] != attention.shape[1:]:
            raise ValueError(f'{img_path}: size {image.shape[:2]} differs '
                             f'from its attention {attention.shape[1:]}')
    if opts['method'] == 'threshold':
        label = threshold_proxy_label(attention, classes, opts['fg_thr'],
                                      opts['bg_thr'], crf_image=image)
    else:
        label = proxy_label(sal, attention, classes, w=opts['w'],
                            ignore_multi_thr=opts['multi'],
                            ignore_conflict=opts['conflict'],
                            crf_image=image)
    save_label_png(osp.join(opts['out_dir'], name + '.png'), label)
    return name, 'resized' if resized else 'done'


def check_threshold_labels(attention_dir: str, names: Sequence[str],
                           num_classes: int, fg_thr, bg_thr,
                           skip_missing: bool = False) -> None:
    """Before anything is written: the labels of ``--method threshold``
    (without CRF) must hold enough confident background and foreground
    (:func:`seenet_mm.datasets.label_rules.check_teaching`); the error
    gives the per-pixel peaks of the maps and thresholds to try."""
    import numpy as np
    hist = np.zeros(100, np.int64)

    def labels():  # one at a time: the shares need three counts each
        for name in names:
            path = osp.join(attention_dir, name + '.npz')
            if skip_missing and not osp.isfile(path):
                continue
            classes, attention = load_attention(path, num_classes)
            hist[:] += np.histogram(peak_map(attention), bins=100,
                                    range=(0, 1))[0]
            yield threshold_proxy_label(attention, classes, fg_thr, bg_thr)

    shares = label_shares(labels())
    cdf = np.cumsum(hist) / max(int(hist.sum()), 1)

    def quantile(q):
        return (int(np.searchsorted(cdf, q)) + 1) / 100

    peaks = ', '.join(f'{int(q * 100)} % below {quantile(q):.2f}'
                      for q in (0.1, 0.25, 0.5, 0.75, 0.9))
    suggest = ('--fg-thr auto --bg-thr auto, or ' if fg_thr != 'auto'
               else '') + (f'--bg-thr {quantile(0.2):.2f} --fg-thr '
                           f'{quantile(0.85):.2f}')
    check_teaching(
        shares, f'the labels of {attention_dir} with --fg-thr '
        f'{fg_thr} --bg-thr {bg_thr}',
        f'The maps\' per-pixel peaks: {peaks}; try {suggest}')


def make_proxy_labels(attention_dir: str, out_dir: str, *,
                      saliency_dir: Optional[str] = None,
                      method: Optional[str] = None,
                      fg_thr: Union[float, str, None] = None,
                      bg_thr: Union[float, str, None] = None,
                      w: float = 1.0, split: Optional[str] = None,
                      workers: Optional[int] = None,
                      ignore_multi: Optional[float] = None,
                      ignore_conflict: Optional[Tuple[float, float]] = None,
                      skip_missing: bool = False, crf: bool = False,
                      image_dir: Optional[str] = None,
                      crf_workers: Optional[int] = None) -> PerImageRun:
    """Write a proxy label PNG per attention file of ``attention_dir``
    into ``out_dir`` (resumable: labels written before are kept).

    Args:
        attention_dir: the attention files (``<name>.npz``, classes.json).
        out_dir: where ``<name>.png`` go (VOC palette, 0..M, 255 ignore).
        saliency_dir: grey saliency PNGs (Algorithm 1).
        method: ``'saliency'`` (Algorithm 1; the default with
            ``saliency_dir``) or ``'threshold'`` (the attention alone,
            IRN's confident regions; the default without it).
        fg_thr, bg_thr: ``method='threshold'``: confident foreground and
            background, numbers or ``'auto'`` (from each image's maps:
            Otsu's split ``t``, ``t + 0.5 (1 - t)`` / ``t - 0.1 (1 - t)``);
            default ``'auto'``, or IRN's 0.30 / 0.05 for the one not given
            when the other is a number.
        w: the attention's weight in Algorithm 1 (paper: 1).
        split: a file of the image names to label (default: every
            attention file).
        workers: processes labelling images (default: the cores).
        ignore_multi: 255 where two or more classes have attention at
            least this (off: None).
        ignore_conflict: ``(low, high)``: 255 where a class pixel has
            saliency below ``low`` or a background pixel above ``high``.
        skip_missing: an image whose saliency map, attention file or image
            is missing is skipped with a warning, not an error.
        crf: refine the scores with a dense CRF (pydensecrf2; needs
            ``image_dir``).
        image_dir: the images (``JPEGImages`` or ``images``), for ``crf``.
        crf_workers: with ``crf``: processes (wins over ``workers``).

    Returns:
        The run's counts (:class:`~seenet_mm.apis.per_image.PerImageRun`).

    Raises:
        FileNotFoundError: a missing folder or input file.
        ValueError: settings that do not fit, or labels of the threshold
            method with too little confident background or foreground.
    """
    if not osp.isdir(attention_dir):
        raise FileNotFoundError(
            f'--attention-dir: {attention_dir} is not a folder')
    method = method or ('saliency' if saliency_dir else 'threshold')
    if method not in PROXY_METHODS:
        raise ValueError(f'method must be one of {PROXY_METHODS}, got '
                         f'{method!r}')
    if method == 'saliency' and not saliency_dir:
        raise ValueError('--method saliency needs --saliency-dir')
    if method == 'threshold':
        fg_thr, bg_thr = resolve_thresholds(fg_thr, bg_thr)
        if (fg_thr == 'auto') != (bg_thr == 'auto'):
            raise ValueError(f'--fg-thr and --bg-thr are both auto or both '
                             f'numbers, got {fg_thr}, {bg_thr}')
        if fg_thr != 'auto' and not 0 <= bg_thr < fg_thr <= 1:
            raise ValueError(f'need 0 <= --bg-thr < --fg-thr <= 1, got '
                             f'{bg_thr}, {fg_thr}')
        rule = ('per image from its maps (auto: Otsu\'s split t '
                f'+ {AUTO_FG_MARGIN:g} (1 - t) / - {AUTO_BG_MARGIN:g} (1 - t))'
                if fg_thr == 'auto' else f'> {fg_thr} / <= {bg_thr}')
        print(f'proxy labels without saliency maps (--method threshold): '
              f'class where attention and background where all attention '
              f'is below, 255 between; thresholds {rule}', flush=True)
    classes = load_classes(attention_dir)
    if crf_workers is not None and not crf:
        raise ValueError('--crf-workers needs --crf')
    count = crf_workers if crf and crf_workers is not None else workers
    option = '--crf-workers' if crf_workers is not None else '--workers'
    count = check_workers(cores_available() if count is None else count,
                          option)
    if crf:
        from seenet_mm.crf import crf_available
        if not image_dir:
            raise ValueError('--crf needs --image-dir (the image folder)')
        if not crf_available():
            raise ImportError('--crf needs pydensecrf2: pip install '
                              '"pydensecrf2==1.1"')
    names = image_names(attention_dir, split)
    if method == 'threshold':
        check_threshold_labels(attention_dir, names, len(classes), fg_thr,
                               bg_thr, skip_missing)
    opts = dict(att_dir=attention_dir, sal_dir=saliency_dir,
                out_dir=out_dir, w=w, multi=ignore_multi,
                conflict=tuple(ignore_conflict) if ignore_conflict else None,
                skip=skip_missing, img_dir=image_dir if crf else None,
                method=method, fg_thr=fg_thr, bg_thr=bg_thr,
                num_classes=len(classes))
    run = for_each_image(
        names, partial(label_one, opts=opts), out_dir,
        done=lambda n: osp.isfile(osp.join(out_dir, n + '.png')),
        classes=classes, workers=count, what='labelled')
    resized = run.counts.get('resized', 0)
    print(f'labels in {out_dir}: {run.written} written ({resized} with a '
          f'resized saliency map), {len(run.missing)} skipped for missing '
          'files', flush=True)
    return run
