"""Gallery of N images: image | M_A | M_B | fused | proxy label | GT.

    python tools/make_gallery.py CONFIG CKPT --attention-dir ATT
        [--label-dir LABELS] [--data-root VOC2012_DIR] [--split FILE]
        [--num 12] [--out-dir DIR]

Writes DIR/<name>.png rows and DIR/index.md + index.html (default DIR:
ATT/../gallery). M_A and M_B come from one forward pass (no flip); "fused"
is the attention file used downstream (max over the image's classes).
"""
import argparse
import os
import os.path as osp

import cv2
import mmcv

import seenet_mm  # noqa: F401
from seenet_mm.apis.attention import init_attention_model, load_attention
from seenet_mm.apis.gallery import branch_maps, gallery_row, write_index
from seenet_mm.apis.image_list import list_images, voc_root_of
from seenet_mm.apis.label_io import load_label_png
from seenet_mm.apis.run import load_config
from seenet_mm.apis.run import cli_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--label-dir')
    parser.add_argument('--data-root', help='VOCdevkit/VOC2012 folder')
    parser.add_argument('--split')
    parser.add_argument('--num', type=int, default=12)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--out-dir')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, None, None, 'none')
    out_dir = args.out_dir or osp.join(
        osp.dirname(osp.abspath(args.attention_dir)), 'gallery')
    os.makedirs(out_dir, exist_ok=True)
    model = init_attention_model(cfg, args.checkpoint)
    root = voc_root_of(cfg, args.data_root)
    infos = [i for i in list_images(cfg, args.split, args.data_root)
             if osp.isfile(osp.join(args.attention_dir,
                                    i['img_id'] + '.npz'))][:args.num]
    entries = []
    for info in infos:
        name = info['img_id']
        img = mmcv.imread(info['img_path'])
        classes, fused = load_attention(
            osp.join(args.attention_dir, name + '.npz'))
        m_a, m_b = branch_maps(model, img, classes.tolist(), args.size)
        label = None
        if args.label_dir and osp.isfile(osp.join(args.label_dir,
                                                  name + '.png')):
            label = load_label_png(osp.join(args.label_dir, name + '.png'))
        gt_path = osp.join(root, 'SegmentationClass', name + '.png')
        gt = load_label_png(gt_path) if osp.isfile(gt_path) else None
        row = gallery_row(img, m_a, m_b, fused.max(0), label, gt)
        path = osp.join(out_dir, name + '.png')
        cv2.imwrite(path + '.tmp.png', cv2.cvtColor(row, cv2.COLOR_RGB2BGR))
        os.replace(path + '.tmp.png', path)
        entries.append(dict(name=name, file=name + '.png',
                            classes=classes.tolist()))
    write_index(out_dir, entries, 'SeeNet attention gallery')
    print(f'gallery of {len(entries)} images: {osp.join(out_dir, "index.md")}')


if __name__ == '__main__':
    cli_main(main)
