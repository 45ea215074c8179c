"""Cue or nearness, on a set with context masks (toy sets made with
``--context``): per distance band from the objects, where context and plain
background fall among T_A's zones and how strongly M_A and M_B attend
them; and seeds from M_A alone, M_B alone and their fusion.

:func:`analyse_context` is behind
``tools/analysis_tools/context_nearness.py``.
"""
from __future__ import annotations

import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..evaluation.context_nearness import NearnessCounter
from ..evaluation.seeds import SeedEvaluator, default_thresholds
from ..fileio import load_label_png, write_json
from .image_list import read_names

SEED_SOURCES = ('M_A', 'M_B', 'fused')


def context_nearness(model, data_root: str, names: Sequence[str],
                     size: Optional[int] = None,
                     thresholds: Optional[Sequence[float]] = None) -> dict:
    """Run ``model`` (a SeeNet) on the images ``names`` of ``data_root``
    (VOC layout: ``JPEGImages``, ``SegmentationClass``, ``context``), one
    view at ``size`` (default: the model's first test size), each image's
    classes taken from its mask.

    Returns:
        dict with ``images``, ``bands`` (:meth:`NearnessCounter.results`)
        and ``seeds``: per source (M_A, M_B, fused = their maximum) the best
        seed mIoU, its threshold and the context spread there.
    """
    import mmcv
    from .attention import AttentionInferencer
    inferencer = AttentionInferencer(
        model, sizes=None if size is None else [size], flip=False)
    counter = NearnessCounter()
    num = model.num_classes + 1
    thr = default_thresholds() if thresholds is None else thresholds
    seeds = {s: SeedEvaluator(thr, num) for s in SEED_SOURCES}
    used = 0
    for name in names:
        gt_path = osp.join(data_root, 'SegmentationClass', name + '.png')
        ctx_path = osp.join(data_root, 'context', name + '.png')
        if not (osp.isfile(gt_path) and osp.isfile(ctx_path)):
            continue
        gt = load_label_png(gt_path)
        context = load_label_png(ctx_path) > 0
        classes = [int(c) for c in np.unique(gt) if 0 < c < 255]
        if not classes:
            continue
        img = mmcv.imread(osp.join(data_root, 'JPEGImages', name + '.jpg'))
        maps = inferencer.branch_maps(img, classes, per_class=True)
        m_b = maps['M_B']
        counter.add(gt, context, maps['T_A'], maps['M_A'].max(0),
                    None if m_b is None else m_b.max(0))
        sources = dict(M_A=maps['M_A'])
        if m_b is not None:
            sources.update(M_B=m_b, fused=np.maximum(maps['M_A'], m_b))
        for source, att in sources.items():
            seeds[source].add(att, classes, gt, context)
        used += 1
    if not used:
        raise ValueError(f'{data_root}: none of the {len(names)} images has '
                         'a mask and a context mask')
    seed_rows = {}
    for source, ev in seeds.items():
        if not ev.count:
            continue
        res = ev.results()
        seed_rows[source] = dict(mIoU=res['best']['mIoU'],
                                 threshold=res['best_threshold'],
                                 context_spread=res.get('context_spread'))
    return dict(images=used, bands=counter.results(), seeds=seed_rows)


def nearness_markdown(result: dict) -> List[str]:
    """The result as two Markdown tables."""
    def fmt(v) -> str:
        return '-' if v is None else f'{v:.1f}' if isinstance(v, float) \
            else str(v)

    lines = ['| distance d from the object (px, lo <= d < hi) | pixels | background zone % '
             '| potential zone % | erased zone % | mean M_A | mean M_B |',
             '|---|---|---|---|---|---|---|']
    for r in result['bands']:
        lo, hi = r['band']
        lines.append(f'| {lo}-{hi}, {r["group"]} | {r["pixels"]} | '
                     f'{fmt(r["bg_zone"])} | {fmt(r["potential_zone"])} | '
                     f'{fmt(r["erased_zone"])} | '
                     + ' | '.join('-' if r[k] is None else f'{r[k]:.3f}'
                                  for k in ('mean_M_A', 'mean_M_B')) + ' |')
    lines += ['', '| seeds from | seed mIoU | threshold | context spread % |',
              '|---|---|---|---|']
    for source, s in result['seeds'].items():
        lines.append(f'| {source} | {s["mIoU"]:.1f} | {s["threshold"]:.2f} '
                     f'| {fmt(s["context_spread"])} |')
    return lines


def analyse_context(config: str, checkpoint: str, data_root: str,
                    out: str, *, split: Optional[str] = None,
                    size: Optional[int] = None,
                    trust_checkpoint: bool = False) -> Dict[str, object]:
    """:func:`context_nearness` of a checkpoint on a VOC-layout set with
    context masks; writes the JSON ``out``, prints the tables, returns the
    result.

    Args:
        config, checkpoint: the attention network.
        data_root: a VOC2012-layout folder with SegmentationClass and
            context.
        out: the JSON file written.
        split: the image list (default: ImageSets/Segmentation/val.txt of
            the data root).
        size: the input size of the one view (default: the config's first
            test size).
        trust_checkpoint: allow a checkpoint that needs full unpickling.
    """
    from .attention import init_attention_model
    model = init_attention_model(config, checkpoint,
                                 trust_checkpoint=trust_checkpoint)
    split = split or osp.join(data_root, 'ImageSets', 'Segmentation',
                              'val.txt')
    result = context_nearness(model, data_root, read_names(split), size)
    result.update(config=config, checkpoint=checkpoint, size=size)
    write_json(out, result)
    print('\n'.join(nearness_markdown(result)))
    print(f'written {out}')
    return result
