"""Cue or nearness on a generated context toy set with a tiny SeeNet: the
bands count the mask's pixels, the maps are the inferencer's, errors."""
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmseg.registry import MODELS

from seenet_mm.apis.attention import AttentionInferencer
from seenet_mm.apis.context_analysis import (context_nearness,
                                             nearness_markdown)
from seenet_mm.evaluation import object_distance
from seenet_mm.fileio import load_label_png
from seenet_mm.toy import ToyConfig, generate_toy_dataset


def test_bands_and_seeds_on_a_context_set(tmp_path):
    voc = generate_toy_dataset(str(tmp_path / 'toy'), ToyConfig(
        num_images=5, val_fraction=0.4, context=True), progress=False)
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='SeeNet', in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125),
        branch=dict(type='AttentionBranch', channels=8), num_classes=20,
        data_preprocessor=dict(type='ImgDataPreprocessor')))
    model.eval()
    names = sorted(f[:-4] for f in os.listdir(osp.join(voc, 'JPEGImages')))
    result = context_nearness(model, voc, names + ['missing'], size=64,
                              thresholds=[0.3, 0.6])
    assert result['images'] == len(names)
    want = {}
    for name in names:
        gt = load_label_png(osp.join(voc, 'SegmentationClass', name + '.png'))
        ctx = load_label_png(osp.join(voc, 'context', name + '.png')) > 0
        dist = object_distance(gt)
        for lo, hi in ((1, 5), (5, 9), (9, 17), (17, 33)):
            band = (gt == 0) & (dist >= lo) & (dist < hi)
            for group, sel in (('context', ctx), ('plain', ~ctx)):
                want[(lo, group)] = want.get((lo, group), 0) + \
                    int((band & sel).sum())
    assert {(r['band'][0], r['group']): r['pixels']
            for r in result['bands']} == want
    assert want[(1, 'context')] > 0
    assert set(result['seeds']) == {'M_A', 'M_B', 'fused'}
    assert all(s['threshold'] in (0.3, 0.6) for s in result['seeds'].values())
    lines = nearness_markdown(result)
    assert any(line.startswith('| 1-5, context |') for line in lines)
    # the per-class maps are the inferencer's fused maps, class by class
    inf = AttentionInferencer(model, sizes=[64], flip=False)
    img = np.random.default_rng(0).integers(0, 255, (40, 50, 3), np.uint8)
    per = inf.branch_maps(img, [3, 7], per_class=True)
    flat = inf.branch_maps(img, [3, 7])
    assert per['M_A'].shape == (2, 40, 50)
    assert np.allclose(per['M_A'].max(0), flat['M_A'])
    assert set(np.unique(flat['T_A'])) <= {-1.0, 0.0, 1.0}
    with pytest.raises(ValueError, match='none of the 1 images'):
        context_nearness(model, voc, ['missing'])
