"""The COCO configs: VOC's recipes with 80 classes (81 with the
background) and COCO's schedules; at tiny width they train and predict on a
folder written by tools/convert_coco.py (one grey image among them)."""
import copy
import json
import os
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmseg.registry import MODELS
from PIL import Image

from conftest import REPO
from seenet_mm.datasets.coco import convert_coco
from seenet_mm.utils import register_all_modules

register_all_modules()

SEENET = {'seenet/seenet_vgg16_1xb16-50k_coco14-224x224.py': 'seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py',
          'seenet/seenet_r50-d8_1xb16-5e_coco14-512x512.py': 'seenet/seenet_r50-d8_1xb16-5e_voc12aug-512x512.py'}
LARGEFOV = ('deeplab_largefov/deeplab-largefov_vgg16_1xb20-48k_coco14-321x321.py',
            'deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_voc12aug-'
            '321x321.py')
# 80 category ids in 1..90 with gaps, as COCO's
CATEGORY_IDS = [i for i in range(1, 91) if i % 9 != 0][:80]


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


@pytest.fixture(scope='module')
def coco_folder(tmp_path_factory):
    """A converted 80-class COCO folder: 4 train, 2 val images."""
    root = tmp_path_factory.mktemp('coco')
    out = str(root / 'coco2014_wsss')
    for split, count in (('train', 4), ('val', 2)):
        img_dir = root / f'{split}2014'
        img_dir.mkdir()
        images, anns = [], []
        for i in range(count):
            name = f'COCO_{split}2014_{i:012d}.jpg'
            mode = 'L' if i == 0 else 'RGB'  # COCO has grey JPEGs
            Image.new(mode, (64, 48), 128).save(img_dir / name, 'JPEG')
            images.append(dict(id=i, file_name=name, height=48, width=64))
            for k, cid in enumerate(CATEGORY_IDS[i::37][:2]):
                x = 8 + 24 * k
                anns.append(dict(id=len(anns), image_id=i, category_id=cid,
                                 iscrowd=0, segmentation=[
                                     [x, 8, x + 20, 8, x + 20, 40, x, 40]]))
        path = str(root / f'instances_{split}2014.json')
        with open(path, 'w') as f:
            json.dump(dict(images=images, annotations=anns, categories=[
                dict(id=c, name=f'class{c}') for c in CATEGORY_IDS]), f)
        convert_coco(path, str(img_dir), out, progress=False)
    # the masks stand in for proxy labels of the train images
    shutil.copytree(osp.join(out, 'masks'), osp.join(out, 'proxy_labels'))
    return out


def without(cfg_dict, *keys):
    """A copy of a config dict without the dotted keys."""
    out = copy.deepcopy(cfg_dict.to_dict() if hasattr(cfg_dict, 'to_dict')
                        else cfg_dict)
    for key in keys:
        *parents, last = key.split('.')
        node = out
        for p in parents:
            node = node[p]
        node.pop(last)
    return out


@pytest.mark.parametrize('coco_name,voc_name', SEENET.items())
def test_seenet_coco_is_voc_recipe_with_80_classes(coco_name, voc_name):
    coco, voc = load(coco_name), load(voc_name)
    assert coco.model.num_classes == 80 and voc.model.num_classes == 20
    assert without(coco.model, 'num_classes') == \
        without(voc.model, 'num_classes')
    assert coco.optim_wrapper == voc.optim_wrapper
    assert coco.train_dataloader.dataset.pipeline == \
        voc.train_dataloader.dataset.pipeline
    assert coco.train_dataloader.batch_size == 16
    for key, ann in (('train_dataloader', 'train.json'),
                     ('val_dataloader', 'val.json'),
                     ('test_dataloader', 'val.json')):
        ds = coco[key].dataset
        assert ds.type == 'ImageLabelFolderDataset'
        assert (ds.data_root, ds.ann_file) == ('data/coco2014_wsss', ann)
    assert coco.val_dataloader.dataset.data_prefix == dict(
        img_path='images', seg_map_path='masks')
    assert coco.train_cfg.max_iters > voc.train_cfg.max_iters


def test_schedules():
    vgg = load('seenet/seenet_vgg16_1xb16-50k_coco14-224x224.py')
    assert vgg.train_cfg.max_iters == 50000
    assert vgg.param_scheduler[0].milestones == [30000]  # 60 % as the paper
    r50 = load('seenet/seenet_r50-d8_1xb16-5e_coco14-512x512.py')
    assert r50.train_cfg.max_iters == 5 * (82081 // 16)  # IRN's 5 epochs
    assert r50.param_scheduler[0].end == r50.train_cfg.max_iters
    fov = load(LARGEFOV[0])
    assert fov.train_cfg.max_iters == 48000
    assert fov.param_scheduler[0].milestones == [16000, 32000]


def test_largefov_coco_is_voc_recipe_with_81_classes():
    coco, voc = load(LARGEFOV[0]), load(LARGEFOV[1])
    assert coco.model.decode_head.num_classes == 81
    assert without(coco.model, 'decode_head.num_classes') == \
        without(voc.model, 'decode_head.num_classes')
    assert coco.optim_wrapper == voc.optim_wrapper
    assert coco.train_dataloader.dataset.type == 'ImageFolderSegDataset'
    assert coco.train_dataloader.dataset.data_prefix.seg_map_path == \
        'proxy_labels'
    assert coco.val_dataloader.dataset.data_prefix.seg_map_path == 'masks'
    assert coco.train_dataloader.batch_size == 20


def loaders(cfg, root, keys=('train_dataloader', 'val_dataloader')):
    out = []
    for key in keys:
        loader_cfg = copy.deepcopy(cfg[key])
        loader_cfg.update(num_workers=0, persistent_workers=False,
                          batch_size=2)
        loader_cfg.dataset.data_root = root
        out.append(Runner.build_dataloader(loader_cfg))
    return out


def tiny_seenet(cfg):
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.init_cfg = None
    if model_cfg.backbone.type == 'VGG16':
        model_cfg.backbone.widen_factor = 0.03125  # conv5: 16 channels
        model_cfg.in_channels = 16
    else:
        model_cfg.backbone.update(base_channels=8, stem_channels=8)
        model_cfg.in_channels = 256
    model_cfg.branch.channels = 8
    return MODELS.build(model_cfg)


@pytest.mark.parametrize('name', SEENET)
def test_seenet_coco_trains_and_predicts_at_tiny_width(name, coco_folder):
    cfg = load(name)
    model = tiny_seenet(cfg)
    assert model.num_classes == 80
    train, val = loaders(cfg, coco_folder)
    assert len(train.dataset) == 4 and len(val.dataset) == 2
    batch = next(iter(train))
    assert batch['inputs'][0].shape[0] == 3  # the grey JPEG too
    assert batch['data_samples'][0].gt_class_labels.shape == (80, )
    data = model.data_preprocessor(batch, True)
    losses = model(**data, mode='loss')
    assert all(torch.isfinite(v).all() for v in losses.values()
               if isinstance(v, torch.Tensor))
    batch = next(iter(val))
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch, False), mode='predict')
    assert out[0].score_map_a.shape[0] == 80


def test_largefov_coco_predicts_81_classes_at_tiny_width(coco_folder):
    cfg = load(LARGEFOV[0])
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.update(init_cfg=None, widen_factor=0.0625)  # 32 ch
    model_cfg.decode_head.update(init_cfg=None, in_channels=32, channels=16)
    model = MODELS.build(model_cfg).eval()
    assert model.decode_head.conv_seg.out_channels == 81
    train, val = loaders(cfg, coco_folder)
    assert train.dataset.metainfo['classes'][0] == 'background'
    assert len(train.dataset.metainfo['classes']) == 81
    batch = next(iter(train))
    assert batch['data_samples'][0].gt_sem_seg.data.max() <= 80
    batch = next(iter(val))
    with torch.no_grad():
        out = model(**model.data_preprocessor(batch, False), mode='predict')
    assert out[0].seg_logits.data.shape == (81, 48, 64)
    assert not [f for f in os.listdir(coco_folder) if f.endswith('.tmp')]
