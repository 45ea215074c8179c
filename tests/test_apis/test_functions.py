"""The functions behind the tools, called as a notebook calls them: the
command line's options by name and defaults, an unknown option refused."""
import os.path as osp

import pytest

from seenet_mm.apis import evaluate_seeds, infer_attention, make_proxy_labels
from seenet_mm.apis.attention_maps import build_parser
from seenet_mm.cli import options_namespace
from seenet_mm.pipeline import make_toy_dataset


def test_options_take_the_command_lines_defaults():
    args = options_namespace(build_parser(), ['c.py', 'k.pth', '--out-dir',
                                              'o'], dict(batch_size=2))
    defaults = build_parser().parse_args(['c.py', 'k.pth', '--out-dir', 'o'])
    assert args.batch_size == 2 and args.config == 'c.py'
    assert {k: v for k, v in vars(args).items() if k != 'batch_size'} == \
        {k: v for k, v in vars(defaults).items() if k != 'batch_size'}
    with pytest.raises(TypeError, match='unknown option.*bogus'):
        infer_attention('c.py', 'k.pth', 'o', bogus=1)
    with pytest.raises(TypeError, match='unknown option.*sizes'):
        make_proxy_labels('a', 'b', sizes=[1])


def test_toy_set_and_seed_quality_from_python(tmp_path):
    """make_toy_dataset and evaluate_seeds as functions: the ground truth
    scored as proxy labels against itself gives mIoU 100, and the report
    is returned and written."""
    root = make_toy_dataset(str(tmp_path / 'toy'), num_images=6, seed=3)
    assert root == osp.join(str(tmp_path / 'toy'), 'VOCdevkit', 'VOC2012')
    gt = osp.join(root, 'SegmentationClass')
    out = str(tmp_path / 'q.json')
    report = evaluate_seeds(gt, label_dir=gt, out=out)
    assert report['labels']['mIoU'] == pytest.approx(100.0)
    assert report['labels']['images'] == 6 and osp.isfile(out)
    with pytest.raises(ValueError, match='--attention-dir, --label-dir'):
        evaluate_seeds(gt)
