"""Gallery of N images: image | M_A | M_B | fused | proxy label | GT.

    python tools/make_gallery.py CONFIG CKPT --attention-dir ATT
        [--label-dir LABELS] [--data-root ROOT] [--gt-dir MASKS]
        [--split FILE] [--num 12] [--out-dir DIR] [--cfg-options K=V ...]

Writes DIR/<name>.png rows and DIR/index.md + index.html (default DIR:
ATT/../gallery). M_A and M_B come from one forward pass (no flip); "fused"
is the attention file used downstream (max over the image's classes).
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

import seenet_mm  # noqa: F401
from seenet_mm.apis import AttentionInferencer, init_attention_model
from seenet_mm.apis.gallery import make_gallery
from seenet_mm.apis.image_list import image_split, voc_root_of
from seenet_mm.cli import cli_main, load_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--label-dir')
    parser.add_argument('--data-root', help='dataset root: VOCdevkit/VOC2012 '
                        'or an own folder (default: the config\'s)')
    parser.add_argument('--gt-dir', help='ground-truth masks (default: '
                        'ROOT/SegmentationClass, else ROOT/masks)')
    parser.add_argument('--split')
    parser.add_argument('--num', type=int, default=12)
    parser.add_argument('--size', type=int, default=None,
                        help='test size of M_A, M_B (default: the first of '
                        'model.test_cfg.sizes)')
    parser.add_argument('--out-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys (e.g. '
                        'model.num_classes=3)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, None, 'none')
    out_dir = args.out_dir or osp.join(
        osp.dirname(osp.abspath(args.attention_dir)), 'gallery')
    model = init_attention_model(cfg, args.checkpoint)
    inferencer = AttentionInferencer(
        model, sizes=None if args.size is None else [args.size])
    root = voc_root_of(cfg, args.data_root)
    classes, infos = image_split(cfg, args.split, args.data_root)
    infos = [i for i in infos
             if osp.isfile(osp.join(args.attention_dir,
                                    i['img_id'] + '.npz'))][:args.num]
    gt_dir = args.gt_dir or next(
        (d for d in (osp.join(root, 'SegmentationClass'),
                     osp.join(root, 'masks')) if osp.isdir(d)), None)
    entries = make_gallery(inferencer, infos, args.attention_dir, out_dir,
                           label_dir=args.label_dir, gt_dir=gt_dir,
                           class_names=['background', *classes])
    print(f'gallery of {len(entries)} images: {osp.join(out_dir, "index.md")}')


if __name__ == '__main__':
    cli_main(main)
