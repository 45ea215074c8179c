"""SeeNet modes: branches, losses, targets, and what each mode feeds S_B."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS

from seenet_mm.models import background_mask, c_relu, ternary_mask


def build(mode, **kwargs):
    torch.manual_seed(0)
    cfg = dict(type='SeeNet', mode=mode, in_channels=16,
               backbone=dict(type='VGG16', widen_factor=0.03125),
               branch=dict(type='AttentionBranch', channels=8),
               num_classes=5,
               data_preprocessor=dict(type='ImgDataPreprocessor'))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def samples(labels):
    return [BaseDataElement(gt_class_labels=l) for l in labels]


LABELS = torch.tensor([[1., 0, 0, 1, 0], [0, 1, 0, 0, 0]])


@pytest.mark.parametrize('mode,branches,losses', [
    ('cam', ['branch_a'], {'loss_sa'}),
    ('acol', ['branch_a', 'branch_b'], {'loss_sa', 'loss_sb'}),
    ('seenet-noflip', ['branch_a', 'branch_b', 'branch_c'],
     {'loss_sa', 'loss_sb', 'loss_sc'}),
    ('seenet', ['branch_a', 'branch_b', 'branch_c'],
     {'loss_sa', 'loss_sb', 'loss_sc'}),
])
def test_each_mode_builds_its_branches_and_losses(mode, branches, losses):
    model = build(mode)
    assert model.branch_names == branches
    for name in {'branch_a', 'branch_b', 'branch_c'} - set(branches):
        assert not hasattr(model, name)
    out = model(torch.randn(2, 3, 64, 64), samples(LABELS), mode='loss')
    zones = {'maps_all_positive'} if mode == 'cam' else {
        'zone_erased', 'zone_potential', 'zone_background',
        'maps_all_positive'}
    assert set(out) == losses | zones
    # mmengine sums only the keys named loss*: the zones are logged only
    total, log_vars = model.parse_losses(out)
    assert torch.allclose(total, sum(out[k] for k in losses))
    if mode != 'cam':
        fractions = [log_vars[f'zone_{k}'] for k in
                     ('erased', 'potential', 'background')]
        assert sum(fractions).item() == pytest.approx(1.0)
        tern = model.forward_branches(torch.randn(2, 3, 64, 64),
                                      LABELS)['ternary']
        assert set(model.zone_fractions(tern)) == zones - {
            'maps_all_positive'}


def test_share_of_maps_with_no_cell_at_or_below_zero():
    maps = torch.ones(2, 3, 2, 2)
    maps[0, 0, 1, 1] = 0.0  # a zero cell: not all positive
    maps[1, 2] = -1.0  # negative, but class 2 of image 1 is not present
    labels = torch.tensor([[1., 1, 0], [0, 0, 1]])
    from seenet_mm.models.classifiers.seenet import SeeNet
    assert SeeNet.all_positive_share(maps, labels).item() == \
        pytest.approx(1 / 3)
    assert SeeNet.all_positive_share(maps, torch.zeros(2, 3)).item() == 0.0


def test_losses_are_bce_with_the_right_targets():
    model = build('seenet')
    x = torch.randn(2, 3, 64, 64)
    losses = model(x, samples(LABELS), mode='loss')
    out = model.forward_branches(x, LABELS)
    assert torch.allclose(losses['loss_sa'], F.binary_cross_entropy_with_logits(
        out['logits_a'], LABELS))
    assert torch.allclose(losses['loss_sb'], F.binary_cross_entropy_with_logits(
        out['logits_b'], LABELS))
    # S_C's targets are zeros
    assert torch.allclose(losses['loss_sc'], F.binary_cross_entropy_with_logits(
        out['logits_c'], torch.zeros_like(LABELS)))


def _branch_inputs(model, x):
    """Capture the feature maps fed to S_B and S_C."""
    seen = {}
    hooks = [getattr(model, n).register_forward_pre_hook(
        lambda m, a, n=n: seen.__setitem__(n, a[0].detach()))
        for n in model.branch_names]
    model.forward_branches(x, LABELS)
    for h in hooks:
        h.remove()
    return seen


def test_what_each_mode_feeds_branch_b_and_c():
    x = torch.randn(2, 3, 64, 64)
    feeds = {}
    for mode in ('acol', 'seenet-noflip', 'seenet'):
        model = build(mode)
        model.eval()
        seen = _branch_inputs(model, x)
        feat = model.backbone(x)[-1]
        maps_a = model.branch_a(feat)[1]
        tern = ternary_mask(maps_a, LABELS, 0.7, 0.05)
        feeds[mode] = seen['branch_b']
        if mode == 'acol':
            expect = feat * (tern != 0)
        elif mode == 'seenet-noflip':
            expect = c_relu(feat, tern.clamp(min=0))
        else:
            expect = c_relu(feat, tern)
        assert torch.allclose(seen['branch_b'], expect)
        if 'branch_c' in seen:
            bg = background_mask(maps_a, LABELS, 0.375)
            assert torch.allclose(seen['branch_c'], c_relu(feat, bg))
    # seenet and seenet-noflip differ only on the background zone
    tern = ternary_mask(build('seenet').branch_a(
        build('seenet').backbone(x)[-1])[1], LABELS)
    differ = (feeds['seenet'] != feeds['seenet-noflip']).any(1, keepdim=True)
    assert differ.any()
    assert not (differ & (tern != -1)).any()
    # there, seenet flips the sign (<= 0, some < 0) and noflip zeroes
    bg = (tern == -1).expand_as(feeds['seenet'])
    assert (feeds['seenet-noflip'][bg] == 0).all()
    assert (feeds['seenet'][bg] <= 0).all() and (feeds['seenet'][bg] < 0).any()


def test_erasing_weight_zero_turns_off_sb_sc_only():
    model = build('seenet')
    model.erasing_weight = 0.0
    losses = model(torch.randn(2, 3, 64, 64), samples(LABELS), mode='loss')
    assert losses['loss_sb'] == 0 and losses['loss_sc'] == 0
    assert losses['loss_sa'] > 0


def test_predict_returns_scores_and_maps():
    model = build('seenet')
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64), samples(LABELS),
                    mode='predict')
    assert out[0].pred_class_scores.shape == (5, )
    assert torch.allclose(out[0].pred_class_scores,
                          out[0].pred_class_logits.sigmoid())
    assert out[0].score_map_a.shape == (5, 4, 4)
    assert out[0].score_map_b.shape == (5, 4, 4)
    # pred_attention: the one fusion (Sec. 3.4) of the image's classes
    from seenet_mm.models import fuse_attention
    ref = fuse_attention([torch.stack([o.score_map_a for o in out]),
                          torch.stack([o.score_map_b for o in out])], LABELS)
    for i, o in enumerate(out):
        assert torch.equal(o.pred_attention, ref[i])
        assert o.pred_attention[LABELS[i] == 0].abs().sum() == 0
    # without labels T_A comes from the predictions
    with torch.no_grad():
        out = model(torch.randn(2, 3, 64, 64), None, mode='predict')
    assert out[1].score_map_b.shape == (5, 4, 4)


def test_backbone_runs_once_per_forward():
    """Labels predicted from S_A come from the same backbone pass."""
    model = build('seenet').eval()
    calls = []
    model.backbone.register_forward_hook(lambda *a: calls.append(1))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        model(x, None, mode='predict')
        assert len(calls) == 1
        out = model(x, None, mode='tensor')
        assert len(calls) == 2
    # the predicted labels: sigmoid > 0.5, else the top class
    logits = out['logits_a']
    pred = (logits.sigmoid() > 0.5).float()
    for i in range(2):
        if pred[i].sum() == 0:
            pred[i, logits[i].argmax()] = 1
    assert torch.equal(out['labels'], pred)


def test_test_cfg_defaults_and_errors():
    model = build('seenet')
    assert model.test_cfg == dict(sizes=(224, ), flip=True,
                                  scale_fuse='max', norm='minmax')
    assert build('seenet', test_cfg=dict(sizes=[112, 224])).test_cfg[
        'sizes'] == (112, 224)
    with pytest.raises(ValueError, match='unknown test_cfg keys'):
        build('seenet', test_cfg=dict(size=224))
    with pytest.raises(ValueError, match='norm must be one of'):
        build('seenet', test_cfg=dict(norm='softmax'))


def test_mmpretrain_resnet_backbone():
    model = build('seenet', backbone=dict(type='mmpretrain.ResNet', depth=18,
                                          out_indices=(3, )),
                  in_channels=512)
    losses = model(torch.randn(2, 3, 64, 64), samples(LABELS), mode='loss')
    assert {k for k in losses if k.startswith('loss')} == {
        'loss_sa', 'loss_sb', 'loss_sc'}


def test_bad_mode_and_missing_labels():
    with pytest.raises(ValueError, match='mode must be one of'):
        build('grad-cam')
    with pytest.raises(KeyError, match='gt_class_labels'):
        build('seenet')(torch.randn(1, 3, 64, 64), [BaseDataElement()],
                        mode='loss')


def test_loss_norm_batch_sums_over_classes():
    """loss_norm='batch' (Caffe's SigmoidCrossEntropyLoss default) is M
    times the default mean over N x M."""
    x = torch.randn(2, 3, 64, 64)
    means = build('seenet')(x, samples(LABELS), mode='loss')
    sums = build('seenet', loss_norm='batch')(x, samples(LABELS),
                                              mode='loss')
    for key in ('loss_sa', 'loss_sb', 'loss_sc'):
        assert torch.allclose(sums[key], 5 * means[key])
    with pytest.raises(ValueError, match='loss_norm'):
        build('seenet', loss_norm='sum')


def test_acol_erases_the_minmax_high_zone_only():
    model = build('acol', mask_norm='minmax', high=0.6)
    maps = torch.randn(2, 5, 4, 4)
    masks = model.erase_masks(maps, LABELS)
    expect = (ternary_mask(maps, LABELS, 0.6, 0.05, 'minmax') != 0).float()
    assert torch.equal(masks['b'], expect)
    assert set(masks) == {'ternary', 'b'}  # no S_C in acol
    with pytest.raises(ValueError, match='mask_norm'):
        build('seenet', mask_norm='softmax')


def test_low_quantile_option_and_pred_ternary(tiny_seenet_model):
    """low_quantile widens the background zone of warm maps; predict
    returns T_A (pred_ternary) for the zone diagnostics."""
    from seenet_mm.models.layers import quantile_low
    model = tiny_seenet_model
    maps = torch.rand(2, 3, 5, 5) + 1.0
    labels = torch.tensor([[1., 0, 0], [0, 1, 1]])
    assert (model.erase_masks(maps, labels)['ternary'] == -1).sum() == 0
    model.low_quantile = 0.3
    masks = model.erase_masks(maps, labels)
    low = quantile_low(maps, labels, model.low, 0.3, high=model.high)
    assert torch.equal(masks['ternary'],
                       ternary_mask(maps, labels, model.high, low))
    assert (masks['ternary'] == -1).sum() > 0
    # B_bg at (δh + the image's δl) / 2
    assert torch.equal(masks['c'], background_mask(
        maps, labels, (model.high + low) / 2))
    with pytest.raises(ValueError, match='low_quantile'):
        type(model)(backbone=dict(type='VGG16', widen_factor=0.03125),
                    branch=dict(type='AttentionBranch', channels=8),
                    in_channels=16, num_classes=3, low_quantile=2)
    model.eval()
    from mmseg.structures import SegDataSample
    samples = []
    for lab in labels:
        ds = SegDataSample()
        ds.gt_class_labels = lab
        samples.append(ds)
    with torch.no_grad():
        out = model.predict(torch.rand(2, 3, 32, 32), samples)
    assert out[0].pred_ternary.shape == (1, ) + out[0].score_map_a.shape[1:]
    assert set(out[0].pred_ternary.unique().tolist()) <= {-1.0, 0.0, 1.0}
