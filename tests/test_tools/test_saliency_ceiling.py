"""tools/analysis_tools/saliency_ceiling.py: Algorithm 1 from perfect
attention is bounded by the saliency maps alone, and the saliency's recall
per class is the share of the class's pixels where D >= 0.5."""
import json
import os.path as osp

import numpy as np
import pytest

from conftest import REPO, tool_main
from seenet_mm.fileio import save_grey_png, save_label_png

main = tool_main(osp.join(REPO, 'tools', 'analysis_tools',
                          'saliency_ceiling.py'))


def make_folder(root, saliency):
    """Two 8 x 8 images: class 1 in the left half of the first, class 2 in
    the top half of the second (a 255 row in it); ``saliency(mask)`` gives
    each image's D."""
    masks = [np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8)]
    masks[0][:, :4] = 1
    masks[1][:4] = 2
    masks[1][7] = 255
    (root / 'masks').mkdir(parents=True)
    (root / 'saliency').mkdir()
    (root / 'images').mkdir()
    entries = []
    for i, mask in enumerate(masks):
        save_label_png(str(root / 'masks' / f'{i}.png'), mask)
        save_grey_png(str(root / 'saliency' / f'{i}.png'),
                      (255 * saliency(mask)).astype(np.uint8))
        (root / 'images' / f'{i}.png').write_bytes(b'')
        entries.append(dict(img_path=f'{i}.png', gt_label=[i]))
    (root / 'train.json').write_text(json.dumps(dict(
        metainfo=dict(classes=['a', 'b']), data_list=entries)))


def test_perfect_saliency_gives_the_masks(tmp_path):
    make_folder(tmp_path, lambda mask: (mask > 0) & (mask < 255))
    out = str(tmp_path / 'ceiling.json')
    main([str(tmp_path), '--out', out])
    result = json.load(open(out))
    assert result['images'] == 2
    assert result['mIoU'] == pytest.approx(100)
    assert result['saliency_recall'] == dict(background=0.0, a=100.0,
                                             b=100.0)


def test_saliency_that_misses_half_a_class(tmp_path):
    def saliency(mask):
        d = ((mask > 0) & (mask < 255)).astype(float)
        d[4:] = 0  # the lower half of the first image's object is missed
        return d
    make_folder(tmp_path, saliency)
    out = str(tmp_path / 'ceiling.json')
    main([str(tmp_path), '--out', out])
    result = json.load(open(out))
    # background: 32 + 24 true pixels (the 255 row left out), and 16 of
    # class a's 32 labelled background: IoU 56 / 72; a: 16 / 32; b: 32 / 32
    assert result['IoU'] == dict(background=77.78, a=50.0, b=100.0)
    assert result['mIoU'] == pytest.approx((5600 / 72 + 50 + 100) / 3)
    assert result['saliency_recall']['a'] == 50.0
