"""The main job on your own data: a 3-class set in the own-folder format
with non-VOC class names, no saliency folder and masks only for val (tiny
widths). Every stage runs; the saliency-free proxy labels are used and
said so; the quality stage is skipped with its reason; the segmentation is
scored on the val masks with 4 classes. Without saliency the labels are
refined (an affinity network and IRN's walk) and the segmentation trains
on the refined labels; killed inside the affinity training and rerun, the
job ends with the same refined labels and figures."""
import json
import os
import os.path as osp
import shutil
import sys

import numpy as np
import pytest

from conftest import REPO, run_and_kill, run_tool
from seenet_mm.attention_codec import load_attention
from seenet_mm.fileio import load_label_png
from seenet_mm.toy import ToyConfig, generate_toy_folder

TOY = osp.join(REPO, 'configs', 'toy')
CLASSES = ('kiwi', 'mango', 'plum')


@pytest.fixture(scope='module')
def fruit(tmp_path_factory):
    """The data folder and tiny configs inheriting the toy folder ones."""
    tmp = tmp_path_factory.mktemp('fruit')
    root = generate_toy_folder(
        str(tmp / 'data'), ToyConfig(num_images=24, val_fraction=0.25,
                                     classes=CLASSES), progress=False)
    shutil.rmtree(osp.join(root, 'saliency'))
    train = json.load(open(osp.join(root, 'train.json')))['data_list']
    for entry in train:
        os.remove(osp.join(root, 'masks', entry['img_path'][:-4] + '.png'))
    att, seg, aff = (str(tmp / 'att.py'), str(tmp / 'seg.py'),
                     str(tmp / 'aff.py'))
    with open(aff, 'w') as f:
        f.write(f"""_base_ = [{osp.join(TOY, 'irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96_folder.py')!r}]
model = dict(backbone=dict(widen_factor=0.0625, init_cfg=None),
             head=dict(in_channels=(4, 8, 16, 32, 32), channels=8),
             test_cfg=dict(steps=8))
train_dataloader = dict(batch_size=4)
max_iters = 4
param_scheduler = [dict(type='PolyLR', power=0.9, by_epoch=False, end=4)]
train_cfg = dict(max_iters=4, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=2))
""")
    with open(att, 'w') as f:
        f.write(f"""_base_ = [{osp.join(TOY, 'seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py')!r}]
model = dict(backbone=dict(widen_factor=0.0625), in_channels=32,
             branch=dict(channels=8))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=20, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
custom_hooks = [dict(type='ErasingScheduleHook', start_iter=4)]
""")
    with open(seg, 'w') as f:
        f.write(f"""_base_ = [{osp.join(TOY,
                          'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py')!r}]
model = dict(backbone=dict(widen_factor=0.0625),
             decode_head=dict(in_channels=32, channels=16))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=20, val_interval=10)
default_hooks = dict(checkpoint=dict(interval=10))
""")
    return root, att, seg, aff, [e['img_path'][:-4] for e in train]


@pytest.mark.slow
def test_main_job_on_own_folder(fruit, tmp_path):
    root, att, seg, aff, train_names = fruit
    work = str(tmp_path / 'work')
    proc = run_tool(['tools/pipeline.py', '--data-root', root, '--work-dir',
                     work, '--attention-config', att,
                     '--segmentation-config', seg, '--affinity-config', aff])
    out = proc.stdout
    assert 'own-folder dataset' in out and '3 classes from train.json ' \
        '(kiwi, mango, plum)' in out
    assert 'proxy labels without saliency maps' in out
    assert 'skipped: no train image has a mask' in out
    report = json.load(open(osp.join(work, 'report.json')))
    assert report['layout'] == 'folder' and report['classes'] == \
        list(CLASSES)
    assert report['proxy_labels'] == 'threshold'
    assert 'quality' in report['skipped']
    metrics = report['metrics']
    assert isinstance(metrics['cls/mAP'], float)
    for key in ('segmentation val mIoU', 'segmentation val mIoU --tta',
                'segmentation val mIoU --crf'):
        assert isinstance(metrics[key], float), key
    assert 'seed mIoU (best threshold)' not in metrics
    assert 'refined-label mIoU' not in metrics  # no train masks
    assert 'refined_quality' in report['skipped']
    assert report['timings']['refinement seconds per image'] > 0
    # the segmentation trained on the refined labels, made for every
    # train image: background and the image's classes, no 255 left where
    # the walk filled the seeds' gaps
    assert 'seg_map_path=' + osp.join(work, 'refined') in out
    for name in train_names:
        refined = load_label_png(osp.join(work, 'refined', name + '.png'))
        seeds = load_label_png(osp.join(work, 'labels', name + '.png'))
        kept = seeds != 255
        assert np.array_equal(refined[kept], seeds[kept])
        assert set(np.unique(refined).tolist()) <= {0, 1, 2, 3}
    md = open(osp.join(work, 'report.md')).read()
    assert 'Proxy labels: attention alone, no saliency' in md
    assert '| quality |' in md and '(skipped)' in md
    # every train image has a 3-class attention file and a proxy label
    assert sorted(os.listdir(osp.join(work, 'maps'))) == sorted(
        [n + '.npz' for n in train_names] + ['classes.json'])
    for name in train_names:
        ids, _ = load_attention(osp.join(work, 'maps', name + '.npz'), 3)
        assert set(ids.tolist()) <= {1, 2, 3}
        label = load_label_png(osp.join(work, 'labels', name + '.png'))
        assert set(np.unique(label).tolist()) <= {0, 1, 2, 3, 255}
    # the segmentation test scored background + 3 classes
    logs = open(osp.join(work, 'pipeline.log')).read()
    assert '| background |' in logs and '|    plum    |' in logs
    assert osp.isfile(osp.join(work, 'gallery', 'index.md'))
    assert 'kiwi' in open(osp.join(work, 'gallery', 'index.md')).read() or \
        'mango' in open(osp.join(work, 'gallery', 'index.md')).read()

    # killed inside the affinity training, then rerun: the affinity network
    # resumes, and the refined labels and figures are the uninterrupted
    # run's
    killed = str(tmp_path / 'killed')
    cmd = [sys.executable, 'tools/pipeline.py', '--data-root', root,
           '--work-dir', killed, '--attention-config', att,
           '--segmentation-config', seg, '--affinity-config', aff]
    run_and_kill(cmd, osp.join(killed, 'affinity', 'iter_2.pth'),
                 str(tmp_path / 'killed.log'))
    state = json.load(open(osp.join(killed, 'pipeline_state.json')))
    assert 'labels' in state and 'affinity' not in state
    run_tool(cmd[1:])
    assert 'resumed epoch: 0, iter: 2\n' in open(
        osp.join(killed, 'pipeline.log')).read()
    for name in train_names:
        assert np.array_equal(
            load_label_png(osp.join(killed, 'refined', name + '.png')),
            load_label_png(osp.join(work, 'refined', name + '.png'))), name
    assert json.load(open(osp.join(killed, 'report.json')))['metrics'] == \
        metrics


def test_num_classes_disagreeing_with_the_dataset(fruit, tmp_path):
    """The config's num_classes (VOC's 20 by default) against a 3-class
    folder: one error naming both, before any iteration."""
    root, att, _, _, _ = fruit
    proc = run_tool(['tools/train.py', att, '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options',
                     f'train_dataloader.dataset.data_root={root}',
                     f'val_dataloader.dataset.data_root={root}'],
                    check=False)
    assert proc.returncode == 1
    assert 'model.num_classes=20 disagrees with the train dataset ' \
        'ImageLabelFolderDataset, whose metainfo.classes lists 3 classes ' \
        '(kiwi, mango, plum); set model.num_classes=3' in proc.stderr
    assert not osp.exists(osp.join(tmp_path / 'w', 'iter_1.pth'))


def test_bad_folder_fails_before_any_stage(fruit, tmp_path):
    root, att, seg, _, _ = fruit
    bad = str(tmp_path / 'bad')
    shutil.copytree(root, bad)
    val = json.load(open(osp.join(bad, 'val.json')))
    val['data_list'][0]['gt_label'] = [5]
    json.dump(val, open(osp.join(bad, 'val.json'), 'w'))
    work = str(tmp_path / 'work')
    # (--preset toy: its affinity config needs no downloaded weights, so
    # the data check is the first to speak)
    proc = run_tool(['tools/pipeline.py', '--data-root', bad, '--work-dir',
                     work, '--attention-config', att,
                     '--segmentation-config', seg, '--preset', 'toy'],
                    check=False)
    assert proc.returncode == 1
    assert r'val.json: data_list[0] (' in proc.stderr
    assert 'gt_label index 5 out of range 0..2' in proc.stderr
    assert not osp.exists(osp.join(work, 'attention'))
