"""The paper configs follow the paper and ACoL: ACoL's classifier widths and
erasing, no photometric jitter, the loss and mask normalisations."""
import os.path as osp

import torch
from mmengine.config import Config
from mmseg.registry import MODELS

import seenet_mm  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def cfg(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


def build(c):
    model_cfg = c.model.copy()
    model_cfg.backbone.init_cfg = None
    return MODELS.build(model_cfg)


def test_acol_config_uses_acols_classifier_and_erasing():
    c = cfg('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_acol.py')
    assert c.model.mode == 'acol' and c.model.mask_norm == 'minmax'
    assert c.model.high == 0.6
    model = build(c)
    for branch in (model.branch_a, model.branch_b):
        convs = [m for m in branch.modules() if isinstance(m, torch.nn.Conv2d)]
        # 3x3 512 -> 1024, 3x3 1024 -> 1024, 1x1 1024 -> C
        assert [(m.in_channels, m.out_channels, m.kernel_size)
                for m in convs] == [(512, 1024, (3, 3)),
                                    (1024, 1024, (3, 3)), (1024, 20, (1, 1))]
    assert not hasattr(model, 'branch_c')


def test_paper_config_defaults():
    c = cfg('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py')
    assert c.model.mask_norm == 'max' and c.model.loss_norm == 'mean'
    assert (c.model.high, c.model.low) == (0.7, 0.05)
    # photometric jitter is in neither the paper nor ResNet's augmentation
    jitter = [t for t in c.train_dataloader.dataset.pipeline
              if 'PhotoMetricDistortion' in str(t)]
    assert len(jitter) == 1 and jitter[0]['type'] == 'RandomApply' and \
        jitter[0]['prob'] == 0.0
    # the SeeNet branch: 3 x 3x3 conv 512
    assert c.model.branch.channels == 512 and c.model.branch.num_convs == 3


def test_toy_configs_keep_their_settings():
    toy = cfg('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_acol.py')
    assert toy.model.mode == 'acol' and toy.model.mask_norm == 'max'
    assert toy.model.high == 0.7 and toy.model.branch.channels == 64
    assert any(t['type'] == 'PhotoMetricDistortion'
               for t in cfg('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py').train_pipeline)
