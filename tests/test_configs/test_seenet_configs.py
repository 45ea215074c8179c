"""The paper config builds against a VOC-layout folder, with its numbers."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import REPO
from seenet_mm.cli import check_cfg_options
from seenet_mm.utils import register_all_modules

register_all_modules()


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


def test_paper_numbers_in_dumped_config():
    cfg = load('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py')
    text = cfg.pretty_text
    for needle in ("mode='seenet'", 'high=0.7', 'low=0.05', 'lr=0.001',
                   'weight_decay=0.0002', 'milestones=[\n            15000,',
                   'max_iters=25000', 'batch_size=16',
                   "custom_imports=dict(", "default_scope='mmseg'"):
        assert needle.replace('\n', '').replace(' ', '') in \
            text.replace('\n', '').replace(' ', ''), needle
    assert cfg.train_dataloader.dataset.ann_file.endswith('trainaug.txt')
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert cfg.optim_wrapper.paramwise_cfg.new_lr_mult == 10.0


@pytest.mark.parametrize('name,mode', [
    ('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_cam.py', 'cam'), ('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_acol.py', 'acol'),
    ('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_noflip.py', 'seenet-noflip'),
    ('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_cam.py', 'cam'),
    ('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_noflip.py', 'seenet-noflip')])
def test_ablation_configs(name, mode):
    assert load(name).model.mode == mode


def test_paper_model_and_dataloaders_build_on_voc_layout(toy_root):
    cfg = load('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py')
    from mmseg.registry import MODELS
    model = MODELS.build(copy.deepcopy(cfg.model))
    assert model.backbone.output_stride == 16
    assert model.branch_a.convs[2].conv.out_channels == 512
    root = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    for key, split in (('train_dataloader', 'trainaug'),
                       ('val_dataloader', 'val')):
        loader_cfg = copy.deepcopy(cfg[key])
        loader_cfg.update(num_workers=0, persistent_workers=False,
                          batch_size=4)
        loader_cfg.dataset.data_root = root
        loader = Runner.build_dataloader(loader_cfg)
        batch = next(iter(loader))
        assert batch['inputs'][0].shape == (3, 224, 224)
        assert batch['data_samples'][0].gt_class_labels.shape == (20, )
        assert loader.dataset.ann_file.endswith(f'{split}.txt')
    data = model.data_preprocessor(batch, False)
    with torch.no_grad():
        out = model(**data, mode='predict')
    assert out[0].score_map_a.shape == (20, 14, 14)


def test_wrong_cfg_option_key():
    cfg = load('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py')
    with pytest.raises(KeyError, match="model has no key 'bakbone'"):
        check_cfg_options(cfg, {'model.bakbone.arch': 'x'})
    check_cfg_options(cfg, {'model.backbone.arch': 'seenet-os8'})
