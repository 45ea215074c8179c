"""tools/pipeline.py (the main job) on the tiny toy set with tiny configs:
it runs every stage and writes its report; killed during attention training
and again during segmentation training, then rerun, it ends with the same
figures as an uninterrupted run; --compare reports the modes side by side.
The stage table itself is imported from seenet_mm.pipeline (fast tests of it
are in tests/test_pipeline/)."""
import json
import os
import os.path as osp
import shutil
import sys

import pytest

from conftest import REPO, run_and_kill, run_tool

from seenet_mm.pipeline.context import DEFAULT_THRESHOLDS
from seenet_mm.pipeline.stages import (STAGE_NAMES, count_files, dependents,
                                       missing_outputs)

TOY = osp.join(REPO, 'configs', 'toy')


def write_configs(folder: str) -> tuple:
    """Tiny attention and segmentation configs (40 iterations each,
    a checkpoint every 10) inheriting the toy ones, and the attention
    config's siblings of the Table 1 modes (``--compare`` trains each mode
    from its own config)."""
    att = osp.join(folder, 'tiny_attention.py')
    seg = osp.join(folder, 'tiny_segmentation.py')
    with open(att, 'w') as f:
        f.write(f"""_base_ = [{osp.join(TOY, 'seenet_vgg16-tiny_1xb16-800_toy-112x112.py')!r}]
model = dict(backbone=dict(widen_factor=0.0625), in_channels=32,
             branch=dict(channels=8))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=40, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
custom_hooks = [dict(type='ErasingScheduleHook', start_iter=4)]
""")
    for suffix, mode in (('_cam', 'cam'), ('_acol', 'acol'),
                         ('_noflip', 'seenet-noflip')):
        with open(osp.join(folder, f'tiny_attention{suffix}.py'), 'w') as f:
            f.write(f"_base_ = ['./tiny_attention.py']\n"
                    f"model = dict(mode={mode!r})\n")
    with open(seg, 'w') as f:
        f.write(f"""_base_ = [{osp.join(TOY, 'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py')!r}]
model = dict(backbone=dict(widen_factor=0.0625),
             decode_head=dict(in_channels=32, channels=16))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=40, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
""")
    return att, seg


def pipeline_cmd(toy_root, work, att, seg, *extra):
    return [sys.executable, 'tools/pipeline.py', '--data-root', toy_root,
            '--work-dir', work, '--attention-config', att,
            '--segmentation-config', seg] + list(extra)


def state(work: str) -> dict:
    path = osp.join(work, 'pipeline_state.json')
    return json.load(open(path)) if osp.isfile(path) else {}


def test_stage_dependencies_and_output_checks(tmp_path):
    assert dependents('maps') == [
        'maps', 'labels', 'quality', 'affinity', 'refine', 'refined_quality',
        'gallery', 'segmentation', 'segmentation_test', 'upper_bound_test',
        'test_split']
    # not standin, nor the ceiling's training (the true masks only)
    assert dependents('attention') == [
        n for n in STAGE_NAMES[2:] if n != 'upper_bound']
    assert dependents('gallery') == ['gallery']
    assert dependents('segmentation') == [
        'segmentation', 'segmentation_test', 'upper_bound_test',
        'test_split']
    folder = tmp_path / 'maps'
    folder.mkdir()
    for i in range(3):
        (folder / f'{i}.npz').write_bytes(b'')
    (folder / 'x.tmp').write_bytes(b'')
    info = dict(files=count_files(str(folder), '.npz'),
                paths=[str(folder)])
    assert info['files'][2] == 3 and missing_outputs(info) is None
    (folder / '1.npz').unlink()
    assert missing_outputs(info) == \
        f'{folder} holds 2 of its 3 .npz files'
    gone = str(tmp_path / 'iter_40.pth')
    assert missing_outputs(dict(paths=[gone])) == \
        f'{gone} is missing'


@pytest.fixture(scope='module')
def tiny_configs(tmp_path_factory):
    return write_configs(str(tmp_path_factory.mktemp('pipeline_cfg')))


@pytest.mark.slow
def test_pipeline_killed_twice_equals_uninterrupted(toy_root, tiny_configs,
                                                    tmp_path):
    att, seg = tiny_configs
    # as on VOC, train_aug holds images without masks (SBD's): the quality
    # stage scores the train split only, the rest still get maps and labels
    data = str(tmp_path / 'data')
    shutil.copytree(toy_root, data)
    sets = osp.join(data, 'VOCdevkit', 'VOC2012', 'ImageSets', 'Segmentation')
    names = open(osp.join(sets, 'train.txt')).read().split()
    assert open(osp.join(sets, 'trainaug.txt')).read().split() == names
    for name in names[:2]:
        os.remove(osp.join(data, 'VOCdevkit', 'VOC2012', 'SegmentationClass',
                           name + '.png'))
    with open(osp.join(sets, 'train.txt'), 'w') as f:
        f.write('\n'.join(names[2:]) + '\n')
    toy_root = data
    ref = str(tmp_path / 'ref')
    proc = run_tool(pipeline_cmd(toy_root, ref, att, seg)[1:])
    report = json.load(open(osp.join(ref, 'report.json')))
    metrics = report['metrics']
    for key in ('cls/mAP', 'seed mIoU (best threshold)', 'proxy-label mIoU',
                'segmentation val mIoU', 'segmentation val mIoU --tta',
                'segmentation val mIoU --crf'):
        assert isinstance(metrics[key], float), key
        assert key in proc.stdout  # the printed table
    assert osp.isfile(osp.join(ref, 'report.md'))
    assert osp.isfile(osp.join(ref, 'gallery', 'index.md'))
    quality = json.load(open(osp.join(ref, 'quality.json')))
    assert quality['seeds']['images'] == quality['labels']['images'] == \
        len(names) - 2
    # every image of train_aug has its attention file and its proxy label
    assert sorted(os.listdir(osp.join(ref, 'maps'))) == sorted(
        [n + '.npz' for n in names] + ['classes.json'])
    assert sorted(os.listdir(osp.join(ref, 'labels'))) == sorted(
        [n + '.png' for n in names] + ['classes.json'])

    # a rerun of a finished pipeline skips every stage whose outputs are
    # still there, and reruns those whose outputs are gone
    os.remove(osp.join(ref, 'gallery', 'index.md'))
    proc = run_tool(pipeline_cmd(toy_root, ref, att, seg)[1:])
    assert 'index.md is missing: rerunning gallery\n' in proc.stdout
    # every stage but the gallery, the stand-in's included, and the
    # report's lines on the skipped stand-in (these configs load none), the
    # three refinement stages (labels made with saliency), the ceiling's two
    # (no --upper-bound) and the test split's (none)
    assert len(STAGE_NAMES) == 16
    assert proc.stdout.count('skipped') == 15 + 7
    assert 'Skipped: standin: the configs do not load the toy stand-in' \
        in proc.stdout
    assert osp.isfile(osp.join(ref, 'gallery', 'index.md'))
    assert json.load(open(osp.join(ref, 'report.json')))['metrics'] == metrics

    # other settings on the same work dir: one clear error, nothing run
    proc = run_tool(pipeline_cmd(toy_root, ref, att, seg, '--thresholds',
                                 '0.3')[1:], check=False)
    assert proc.returncode == 1 and proc.stdout == ''
    assert 'holds results made with other settings (thresholds: ' \
        f'{list(DEFAULT_THRESHOLDS)} -> [0.3])' in proc.stderr

    work = str(tmp_path / 'killed')
    log = str(tmp_path / 'killed.log')
    cmd = pipeline_cmd(toy_root, work, att, seg)
    run_and_kill(cmd, osp.join(work, 'attention', 'iter_10.pth'), log)
    assert 'attention' not in state(work)  # killed inside the stage
    run_and_kill(cmd, osp.join(work, 'segmentation', 'iter_10.pth'), log)
    done = state(work)
    assert 'labels' in done and 'segmentation' not in done
    run_tool(cmd[1:])
    tool_logs = open(osp.join(work, 'pipeline.log')).read()
    assert tool_logs.count('resumed epoch: 0, iter: 10\n') == 2
    killed = json.load(open(osp.join(work, 'report.json')))['metrics']
    assert killed == metrics


@pytest.mark.slow
def test_pipeline_compare_trains_each_mode_from_its_config(toy_root,
                                                          tiny_configs,
                                                          tmp_path):
    att, seg = tiny_configs
    work = str(tmp_path / 'compare')
    proc = run_tool(pipeline_cmd(toy_root, work, att, seg, '--compare',
                                 '--modes', 'cam', 'seenet-noflip',
                                 '--thresholds', '0.1', '0.5', '0.9')[1:])
    rows = json.load(open(osp.join(work, 'compare.json')))['rows']
    assert [(r['mode'], r['seed']) for r in rows] == [('cam', 0),
                                                      ('seenet-noflip', 0)]
    for r in rows:
        assert 0 <= r['seed_mIoU'] <= 100 and r['best_thr'] in (0.1, 0.5, 0.9)
        assert r['sweep'] == [0.1, 0.9]
        # mmengine dumps the config it ran into the work dir
        name = {'cam': 'tiny_attention_cam.py',
                'seenet-noflip': 'tiny_attention_noflip.py'}[r['mode']]
        dumped = open(osp.join(work, 'compare', r['mode'], 'seed0',
                               'attention', name)).read()
        assert f"mode='{r['mode']}'" in dumped
    assert '| cam | 0 |' in proc.stdout and 'Seed sweep: 0.10 ... 0.90' in \
        proc.stdout
    page = open(osp.join(work, 'compare.html')).read()
    assert 'Seed mIoU over the background threshold, per mode' in page
    # the two modes trained different networks
    assert rows[0]['seed_mIoU'] != rows[1]['seed_mIoU'] or \
        rows[0]['label_mIoU'] != rows[1]['label_mIoU']
