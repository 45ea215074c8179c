"""Make the toy stand-in for ImageNet weights (once per machine).

    python tools/make_standin.py [--seed 0] [--config CFG] [--out-dir DIR]
                                 [--num-images N] [--if-missing]
                                 [--overwrite] [--amp | --no-amp]
                                 [--cfg-options k=v ...]

Writes the pretraining set (the toy generator with all 20 class styles,
other images than the main job's, no context), trains the config's
VGG16-tiny on it (resumable) and keeps the backbone's weights as
DIR/vgg16-tiny.pth, DIR being the shared stand-in folder
($SEENET_STANDIN_DIR, else ~/.cache/seenet_mm/standin) where every toy
config finds it (`standin://vgg16-tiny`). A stand-in made with the same
settings is kept; other settings need --overwrite (--if-missing keeps any).
"""
import argparse
import os.path as osp
import time

import torch

import seenet_mm  # noqa: F401  (compat layer + registries, before mmseg)
from seenet_mm.cli import (add_amp_args, amp_requested, build_runner,
                           cli_main, load_config, set_amp)
from seenet_mm.compat import load_local_checkpoint
from seenet_mm.fileio import atomic_write
from seenet_mm.locking import work_dir_lock
from seenet_mm.standin import DEFAULT_NAME, standin_dir
from seenet_mm.toy import VOC_CLASSES, ToyConfig, generate_toy_folder

CONFIG = 'configs/toy/cam_vgg16-tiny_1xb16-1000_standin-112x112.py'
# the pretraining set's toy seed: far from the main job's (0 and up), so
# that none of its images is the main job's
SEED_OFFSET = 1000


def standin_set(folder: str, seed: int, num_images: int) -> str:
    """The pretraining set: every toy class style (the 20 VOC names), other
    images than the main job's, no class-correlated context."""
    return generate_toy_folder(folder, ToyConfig(
        num_images=num_images, val_fraction=0.1, seed=SEED_OFFSET + seed,
        classes=tuple(VOC_CLASSES[1:])), progress=False)


def parse_args(argv=None) -> argparse.Namespace:
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
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
    return parser.parse_args(argv)


def make_standin(args: argparse.Namespace) -> str:
    """Make (or keep) the stand-in; returns its path."""
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
        options.update({
            'train_dataloader.dataset.data_root': data,
            'val_dataloader.dataset.data_root': data,
            'test_dataloader.dataset.data_root': data,
            'randomness.seed': args.seed})
        work = osp.join(out, f'work_{args.name}_seed{args.seed}')
        cfg = load_config(args.config, options, work, 'none')
        if amp:
            set_amp(cfg)
        cfg.resume = True  # a killed pretraining continues
        runner = build_runner(cfg)
        runner.train()  # ends with a validation pass (val_interval)
        scalars = runner.message_hub.log_scalars
        metrics = {k[len('val/'):]: scalars[k].current() for k in scalars
                   if k.startswith('val/cls/mAP')}
        checkpoint = load_local_checkpoint(
            osp.join(work, f'iter_{cfg.train_cfg.max_iters}.pth'))
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


def main(argv=None) -> None:
    make_standin(parse_args(argv))


if __name__ == '__main__':
    cli_main(main)
