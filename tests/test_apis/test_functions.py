"""The functions behind the tools, called as a notebook calls them: typed
keyword parameters whose defaults the tools take, an unknown one refused."""
import os.path as osp

import pytest

from conftest import REPO, tool_main
from seenet_mm.apis import (evaluate, evaluate_seeds, infer_attention,
                            make_proxy_labels, refine_labels, train,
                            write_gallery)
from seenet_mm.cli import signature_defaults
from seenet_mm.apis import make_standin, make_toy_dataset

# (tool, the function it calls, the required command line)
TOOLS = [
    ('tools/infer_attention.py', infer_attention,
     ['c.py', 'k.pth', '--out-dir', 'o']),
    ('tools/make_proxy_labels.py', make_proxy_labels,
     ['--attention-dir', 'a', '--out-dir', 'o']),
    ('tools/refine_labels.py', refine_labels,
     ['c.py', 'k.pth', '--attention-dir', 'a', '--image-dir', 'i',
      '--out-dir', 'o']),
    ('tools/eval_seeds.py', evaluate_seeds, ['--gt-dir', 'g']),
    ('tools/make_gallery.py', write_gallery,
     ['c.py', 'k.pth', '--attention-dir', 'a']),
    ('tools/make_toy_dataset.py', make_toy_dataset, ['--out', 'o']),
    ('tools/make_standin.py', make_standin, []),
]


def parse_args_of(tool):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        '_args_' + osp.basename(tool)[:-3], osp.join(REPO, tool))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_args


@pytest.mark.parametrize('tool,func,required', TOOLS,
                         ids=[t for t, _, _ in TOOLS])
def test_tools_take_their_defaults_from_the_functions(tool, func, required):
    """Each tool's options default to its function's keyword defaults
    (their one home), and every option is a parameter of the function."""
    args = vars(parse_args_of(tool)(required))
    args.pop('local_rank', None)
    defaults = signature_defaults(func)
    for name, value in defaults.items():
        expected = list(value) if isinstance(value, tuple) else value
        got = list(args[name]) if isinstance(args[name], tuple) \
            else args[name]
        assert got == expected, (tool, name)
    import inspect
    params = set(inspect.signature(func).parameters)
    assert set(args) <= params, set(args) - params


def test_functions_take_typed_keywords():
    with pytest.raises(TypeError, match='bogus'):
        infer_attention('c.py', 'k.pth', 'o', bogus=1)
    with pytest.raises(TypeError, match='sizes'):
        make_proxy_labels('a', 'b', sizes=[1])
    with pytest.raises(TypeError, match='positional'):
        train('c.py', 'work')  # the work dir is a keyword
    with pytest.raises(TypeError, match='positional'):
        evaluate('c.py', 'k.pth', 'work')
    assert tool_main(osp.join(REPO, 'tools', 'train.py')) is not None


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
