"""Attention maps of a trained SeeNet for every image of a split:
:func:`infer_attention`, which ``tools/infer_attention.py`` calls.

    python tools/infer_attention.py CONFIG CKPT --out-dir ATT [--split FILE]
        [--data-root VOC2012_DIR] [--sizes 224 ...] [--scale-fuse max|mean]
        [--norm minmax|max] [--no-flip] [--batch-size 8] [--save-png]
        [--launcher pytorch] [--trust-checkpoint] [--amp | --no-amp]

Writes ATT/<name>.npz (seenet_mm.apis.save_attention: the class ids 1..M
of the image's labels and their maps in [0, 1] at the image's size),
atomically, and ATT/classes.json (the dataset's class names); images
already done are skipped, so a killed run continues. With --launcher pytorch
(tools/dist_infer_attention.sh) the images are split over the processes.

Batches are formed over the whole split (images i*B..i*B+B-1 always go
together) and dealt to processes whole; a partly done batch is rerun whole
and only its missing files are written. So the files are bit-identical
whatever the number of processes and however often the run was resumed
(for the same --batch-size and threads per process: convolutions with
other batch sizes or thread counts differ in the last bits, which can move
a few values by one level; torchrun runs one thread per process).

--amp (or the config key amp=True) runs the forward passes under autocast:
float16 on CUDA, bfloat16 on a CPU with native bfloat16 (else float32 with a
warning), on that CPU with the model channels-last; the files keep their
format (the fusion works in float32).
"""
from __future__ import annotations

import os
import os.path as osp
import sys
from typing import Any, Dict, List, Optional, Sequence

import mmcv
import numpy as np
import torch
from mmengine.utils import ProgressBar

from .. import compat
from ..cli import amp_requested, load_config
from ..engine.amp import amp_channels_last, amp_dtype, to_channels_last
from ..attention_codec import save_attention
from ..fileio import save_classes, write_image
from ..locking import work_dir_lock
from ..visualization import AttentionVisualizer
from .attention import AttentionInferencer, init_attention_model
from .image_list import image_split


def read_image(path: str) -> np.ndarray:
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    img = mmcv.imread(path, channel_order='bgr')
    if img is None:
        raise ValueError(f'{path}: not a readable image (corrupt?)')
    return img


def save_overlays(vis: AttentionVisualizer, out_dir: str, name: str,
                  img: np.ndarray, classes, attention: np.ndarray,
                  names) -> None:
    """``OUT/png/<name>_<class>.png``: the image under each class's map."""
    os.makedirs(out_dir, exist_ok=True)
    rgb = mmcv.bgr2rgb(img)
    for cid, att in zip(classes, attention):
        write_image(osp.join(out_dir, f'{name}_{names[cid - 1]}.png'),
                    vis.overlay(rgb, att))


LABEL_SOURCES = ('true', 'predicted')
# the probability thresholds tried on the tuning split
LABEL_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))


def _maps(inferencer: AttentionInferencer, images: List[np.ndarray],
          classes: Sequence[Sequence[int]]) -> List[np.ndarray]:
    """The fused maps of each image's classes; ``[0, H, W]`` for an image
    without a class."""
    keep = [i for i, ids in enumerate(classes) if len(ids)]
    maps = inferencer([images[i] for i in keep],
                      [classes[i] for i in keep]) if keep else []
    out = [np.zeros((0, *img.shape[:2]), np.float32) for img in images]
    for i, att in zip(keep, maps):
        out[i] = att
    return out


def label_f1(predicted: Sequence[Sequence[int]],
             truth: Sequence[Sequence[int]]) -> float:
    """Micro F1 (0..100) of predicted image labels against the true
    ones."""
    tp = sum(len(set(p) & set(t)) for p, t in zip(predicted, truth))
    fp = sum(len(set(p) - set(t)) for p, t in zip(predicted, truth))
    fn = sum(len(set(t) - set(p)) for p, t in zip(predicted, truth))
    return 200.0 * tp / (2 * tp + fp + fn) if tp else 0.0


def predicted_labels(inferencer: AttentionInferencer, infos: List[dict],
                     batch_size: int, threshold: Optional[float],
                     tune_split: Optional[str], class_names: Sequence[str],
                     out_dir: Optional[str]) -> Dict[str, List[int]]:
    """The classes the classifier predicts for each image of ``infos``
    (ids 1..M with probability at least the threshold), the threshold
    given or the one with the best micro F1 on the images of
    ``tune_split``; written to ``out_dir/predicted_labels.json``."""
    scores = {}
    for i in range(0, len(infos), batch_size):
        batch = infos[i:i + batch_size]
        probs = inferencer.class_scores(
            [read_image(info['img_path']) for info in batch])
        for info, p in zip(batch, probs):
            scores[info['img_id']] = p

    def ids_at(t: float, name: str) -> List[int]:
        return [int(c) + 1 for c in np.flatnonzero(scores[name] >= t)]

    truth = {info['img_id']: list(info['gt_class_ids']) for info in infos}
    how = 'given'
    if threshold is None:
        from .image_list import read_names
        tune = [n for n in read_names(tune_split) if n in scores]
        if not tune:
            raise ValueError(f'--tune-split {tune_split}: none of its images '
                             'is in the split')
        f1 = {t: label_f1([ids_at(t, n) for n in tune],
                          [truth[n] for n in tune])
              for t in LABEL_THRESHOLDS}
        threshold = max(f1, key=lambda t: (f1[t], -abs(t - 0.5)))
        how = f'best micro F1 on the {len(tune)} images of {tune_split}'
    predicted = {name: ids_at(threshold, name) for name in scores}
    names = sorted(predicted)
    result = dict(threshold=threshold, chosen=how,
                  f1=label_f1([predicted[n] for n in names],
                              [truth[n] for n in names]),
                  empty=sum(1 for n in names if not predicted[n]),
                  classes=list(class_names), labels=predicted)
    print(f'predicted labels: probability >= {threshold:.2f} ({how}); '
          f'micro F1 {result["f1"]:.1f} on the split, '
          f'{result["empty"]} images without a class', flush=True)
    if out_dir is not None:
        from ..fileio import write_json
        write_json(osp.join(out_dir, 'predicted_labels.json'), result)
    return predicted


def infer_attention(config: str, checkpoint: str, out_dir: str, *,
                    split: Optional[str] = None,
                    data_root: Optional[str] = None,
                    sizes: Optional[Sequence[int]] = None,
                    scale_fuse: Optional[str] = None,
                    norm: Optional[str] = None, no_flip: bool = False,
                    batch_size: int = 8, save_png: bool = False,
                    device: Optional[str] = None,
                    amp: Optional[bool] = None,
                    trust_checkpoint: bool = False,
                    cfg_options: Optional[Dict[str, Any]] = None,
                    launcher: str = 'none', labels: str = 'true',
                    label_threshold: Optional[float] = None,
                    tune_split: Optional[str] = None) -> str:
    """Write the attention maps of ``checkpoint`` for every image of a
    split into ``out_dir`` (resumable: files written before are kept);
    return ``out_dir``.

    Args:
        config, checkpoint: the attention network.
        out_dir: where ``<name>.npz`` and ``classes.json`` go.
        split: a split list or own-folder JSON (default: the config's
            train set, e.g. trainaug.txt or train.json).
        data_root: the dataset root (default: the config's).
        sizes: test sizes, fused (default: ``model.test_cfg.sizes``;
            paper: 224).
        scale_fuse: ``'max'`` or ``'mean'`` over the sizes (default:
            ``model.test_cfg``).
        norm: the maps' normalisation (default: ``model.test_cfg``; paper:
            minmax).
        no_flip: leave out the flipped view (default:
            ``model.test_cfg.flip``).
        batch_size: images per forward pass (the files depend on it in
            the last bits).
        save_png: also write heatmap overlays into ``out_dir/png``.
        device: where the network runs (default: CUDA when available).
        amp: autocast (True), float32 (False), or the config key (None).
        trust_checkpoint: load a checkpoint that needs full unpickling.
        cfg_options: config keys to override (``{'a.b': 1}``).
        launcher: ``'none'``, or ``'pytorch'`` to split the images over
            the processes of ``torchrun``.
        labels: ``'true'``: maps of the image's labelled classes (the
            paper); ``'predicted'``: maps of the classes the classifier
            predicts (probability at least ``label_threshold``), as a
            deployed model would, without the image labels; an image with
            none gets an empty file (all background).
        label_threshold: with ``labels='predicted'``: the probability
            threshold; None chooses it on ``tune_split``.
        tune_split: a file of the names of images of the split whose
            labels choose the threshold: the one of 0.05 ... 0.95 with the
            best micro F1 of the predicted image labels on them.

    ``labels='predicted'`` writes ``out_dir/predicted_labels.json`` (the
    threshold, how it was chosen, the F1 and the labels per image).
    """
    if labels not in LABEL_SOURCES:
        raise ValueError(f'labels must be one of {LABEL_SOURCES}, got '
                         f'{labels!r}')
    if labels == 'predicted' and label_threshold is None and not tune_split:
        raise ValueError('--labels predicted needs --label-threshold T or '
                         '--tune-split FILE (images whose labels choose it)')
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    cfg = load_config(config, cfg_options, None, launcher)
    rank, world = 0, 1
    if launcher == 'pytorch':
        compat.init_distributed('pytorch', cfg)
        import torch.distributed as dist
        if not dist.is_initialized():  # CUDA: nccl
            dist.init_process_group(backend=compat.default_dist_backend())
        rank, world = dist.get_rank(), dist.get_world_size()
        if device.startswith('cuda'):
            device = f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'
    class_names, infos = image_split(cfg, split, data_root)
    with work_dir_lock(out_dir):  # one inference per out dir
        os.makedirs(out_dir, exist_ok=True)
        def out_path(info: dict) -> str:
            return osp.join(out_dir, info['img_id'] + '.npz')

        done = [osp.isfile(out_path(info)) for info in infos]
        batches = [infos[i:i + batch_size]
                   for i in range(0, len(infos), batch_size)]
        mine = [b for b in batches[rank::world]
                if not all(osp.isfile(out_path(info)) for info in b)]
        if rank == 0:
            print(f'{len(infos)} images in the split, {sum(done)} done before',
                  flush=True)
        model = init_attention_model(cfg, checkpoint, device,
                                     trust_checkpoint=trust_checkpoint)
        if rank == 0:  # once the model loaded: a failed start writes nothing
            save_classes(out_dir, class_names)
        dtype = amp_dtype(device) \
            if amp_requested(cfg, amp, device) else None
        channels_last = dtype is not None and amp_channels_last(device)
        if channels_last:
            to_channels_last(model)
        inferencer = AttentionInferencer(
            model, sizes, False if no_flip else None,
            scale_fuse, norm, amp=dtype,
            channels_last=channels_last)
        predicted = None
        if labels == 'predicted':
            predicted = predicted_labels(
                inferencer, infos, batch_size, label_threshold, tune_split,
                class_names, out_dir if rank == 0 else None)
        vis = AttentionVisualizer(name='infer_attention') if save_png \
            else None
        bar = ProgressBar(len(mine), file=sys.stdout) if rank == 0 and mine \
            else None
        for batch in mine:
            images = [read_image(info['img_path']) for info in batch]
            ids = [info['gt_class_ids'] if predicted is None
                   else predicted[info['img_id']] for info in batch]
            maps = _maps(inferencer, images, ids)
            for info, img, att, cls in zip(batch, images, maps, ids):
                if osp.isfile(out_path(info)):
                    continue
                save_attention(out_path(info), cls, att)
                if save_png:
                    save_overlays(vis, osp.join(out_dir, 'png'),
                                  info['img_id'], img, cls, att,
                                  class_names)
            if bar is not None:
                bar.update()
        if rank == 0:
            print(f'\nattention maps in {out_dir}', flush=True)
    compat.finish_distributed()
    return out_dir


