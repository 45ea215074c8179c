"""Attention maps of a trained SeeNet for every image of a split:
:func:`infer_attention`, and the command line of
``tools/infer_attention.py`` over it.

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

import argparse
import os
import os.path as osp
import sys
from typing import Optional, Sequence

import mmcv
import numpy as np
import torch
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from .. import compat
from ..cli import (add_amp_args, amp_requested, cli_main, load_config,
                   options_namespace)
from ..engine.amp import amp_channels_last, amp_dtype, to_channels_last
from ..attention_codec import save_attention
from ..fileio import save_classes, write_image
from ..locking import work_dir_lock
from ..models.layers import NORMS
from ..visualization import AttentionVisualizer
from .attention import AttentionInferencer, init_attention_model
from .image_list import image_split


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='tools/infer_attention.py',
        description='Attention maps of a trained SeeNet for every image of '
        'a split')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--split', help='split list or own-folder JSON '
                        "(default: the config train set's, e.g. trainaug.txt "
                        'or train.json)')
    parser.add_argument('--data-root', help='dataset root: VOCdevkit/VOC2012 '
                        'or an own folder (default: the config\'s)')
    parser.add_argument('--sizes', type=int, nargs='+', default=None,
                        help='test sizes (default: the config\'s '
                        'model.test_cfg.sizes, paper: 224); several are '
                        'fused')
    parser.add_argument('--scale-fuse', choices=['max', 'mean'],
                        default=None, help='default: model.test_cfg')
    parser.add_argument('--norm', choices=list(NORMS), default=None,
                        help='default: model.test_cfg (paper: minmax)')
    parser.add_argument('--no-flip', action='store_true',
                        help='leave out the flipped view (default: '
                        'model.test_cfg.flip)')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--save-png', action='store_true',
                        help='also write heatmap overlays to OUT/png/')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available()
                        else 'cpu')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load CKPT with full unpickling '
                        '(weights_only=False), as listing it in '
                        f'{compat.TRUST_ENV} does; only for a file you '
                        'trust: unpickling can run code stored in it')
    add_amp_args(parser)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


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


def infer_attention(config: str, checkpoint: str, out_dir: str,
                    **options) -> str:
    """Write the attention maps of ``checkpoint`` for every image of a
    split into ``out_dir`` (resumable); return ``out_dir``.

    ``options`` are the command line's, by name: ``split``, ``data_root``,
    ``sizes``, ``scale_fuse``, ``norm``, ``no_flip``, ``batch_size``,
    ``save_png``, ``device``, ``amp`` (None: the config's key),
    ``trust_checkpoint``, ``cfg_options`` (a dict), ``launcher``; their
    defaults are the command line's.
    """
    args = options_namespace(build_parser(),
                             [config, checkpoint, '--out-dir', out_dir],
                             options)
    _run(args)
    return out_dir


def _run(args: argparse.Namespace) -> None:
    cfg = load_config(args.config, args.cfg_options, None, args.launcher)
    rank, world = 0, 1
    if args.launcher == 'pytorch':
        compat.init_distributed('pytorch', cfg)
        import torch.distributed as dist
        if not dist.is_initialized():  # CUDA: nccl
            dist.init_process_group(backend=compat.default_dist_backend())
        rank, world = dist.get_rank(), dist.get_world_size()
        if args.device.startswith('cuda'):
            args.device = f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}'
    class_names, infos = image_split(cfg, args.split, args.data_root)
    with work_dir_lock(args.out_dir):  # one inference per out dir
        os.makedirs(args.out_dir, exist_ok=True)
        def out_path(info: dict) -> str:
            return osp.join(args.out_dir, info['img_id'] + '.npz')

        done = [osp.isfile(out_path(info)) for info in infos]
        batches = [infos[i:i + args.batch_size]
                   for i in range(0, len(infos), args.batch_size)]
        mine = [b for b in batches[rank::world]
                if not all(osp.isfile(out_path(info)) for info in b)]
        if rank == 0:
            print(f'{len(infos)} images in the split, {sum(done)} done before',
                  flush=True)
        model = init_attention_model(cfg, args.checkpoint, args.device,
                                     trust_checkpoint=args.trust_checkpoint)
        if rank == 0:  # once the model loaded: a failed start writes nothing
            save_classes(args.out_dir, class_names)
        amp = amp_dtype(args.device) \
            if amp_requested(cfg, args.amp, args.device) else None
        channels_last = amp is not None and amp_channels_last(args.device)
        if channels_last:
            to_channels_last(model)
        inferencer = AttentionInferencer(
            model, args.sizes, False if args.no_flip else None,
            args.scale_fuse, args.norm, amp=amp,
            channels_last=channels_last)
        vis = AttentionVisualizer(name='infer_attention') if args.save_png \
            else None
        bar = ProgressBar(len(mine), file=sys.stdout) if rank == 0 and mine \
            else None
        for batch in mine:
            images = [read_image(info['img_path']) for info in batch]
            maps = inferencer(images, [info['gt_class_ids'] for info in batch])
            for info, img, att in zip(batch, images, maps):
                if osp.isfile(out_path(info)):
                    continue
                save_attention(out_path(info), info['gt_class_ids'], att)
                if args.save_png:
                    save_overlays(vis, osp.join(args.out_dir, 'png'),
                                  info['img_id'], img, info['gt_class_ids'],
                                  att, class_names)
            if bar is not None:
                bar.update()
        if rank == 0:
            print(f'\nattention maps in {args.out_dir}', flush=True)
    compat.finish_distributed()


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/infer_attention.py``: parse ``argv`` and run."""
    cli_main(lambda: _run(build_parser().parse_args(argv)))
