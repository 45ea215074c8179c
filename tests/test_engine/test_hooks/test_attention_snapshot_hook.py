"""AttentionSnapshotHook: its own eval forward leaves training untouched;
the picture goes to the visualizer's backends and the snapshot folder."""
import os.path as osp
import random
from types import SimpleNamespace

import cv2
import numpy as np
import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from seenet_mm.engine import AttentionSnapshotHook
from seenet_mm.visualization import ZONE_COLOURS, AttentionVisualizer


def tiny_model():
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='SeeNet', in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125,
                      norm_cfg=dict(type='BN')),
        branch=dict(type='AttentionBranch', channels=8,
                    norm_cfg=dict(type='BN'), dropout=0.5),
        num_classes=3,
        data_preprocessor=dict(type='ImgDataPreprocessor',
                               mean=[10., 20, 30], std=[2., 2, 2],
                               bgr_to_rgb=True)))


def batch():
    rng = np.random.default_rng(0)
    samples = []
    for labels in ([1., 0, 1], [0., 1, 0]):
        ds = SegDataSample()
        ds.gt_class_labels = torch.tensor(labels)
        samples.append(ds)
    return dict(inputs=[torch.from_numpy(rng.integers(
        0, 255, (3, 32, 32), dtype=np.uint8)) for _ in samples],
        data_samples=samples)


def rng_states():
    return (torch.get_rng_state(), np.random.get_state()[1].copy(),
            random.getstate())


def test_snapshot_changes_nothing_in_training_and_reaches_backends(tmp_path):
    model = tiny_model().train()
    bn_before = {k: v.clone() for k, v in model.state_dict().items()}
    vis = AttentionVisualizer(name='snap_test', save_dir=str(tmp_path / 'vis'),
                              vis_backends=[dict(type='LocalVisBackend')])
    runner = SimpleNamespace(model=model, rank=0, iter=9,
                             work_dir=str(tmp_path), visualizer=vis)
    hook = AttentionSnapshotHook(interval=10)
    states = rng_states()
    hook.after_train_iter(runner, 0, batch())
    after = rng_states()
    # no random number drawn (dropout off in eval mode), training mode back
    assert torch.equal(states[0], after[0])
    assert np.array_equal(states[1], after[1]) and states[2] == after[2]
    assert model.training and model.branch_a.training
    # BN running statistics untouched, weights too
    for k, v in model.state_dict().items():
        assert torch.equal(v, bn_before[k]), k
    path = tmp_path / 'snapshots' / 'iter_10.png'
    row = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    # image | M_A | T_A | M_B, 32 px each, 2 px separators
    assert row.shape == (32, 4 * 32 + 3 * 2, 3)
    backend = (tmp_path / 'vis' / 'vis_data' / 'vis_image' /
               'attention_snapshot_10.png')
    assert np.array_equal(cv2.imread(str(backend)), cv2.imread(str(path)))
    # the first panel is the denormalised input (the network saw RGB)
    raw = batch()['inputs'][0].permute(1, 2, 0).numpy()[..., ::-1]
    assert np.abs(row[:, :32].astype(int) - raw.astype(int)).max() <= 1
    # T_A's panel holds only the colours of Fig. 2
    colours = {tuple(c) for c in row[:, 2 * 34:2 * 34 + 32].reshape(-1, 3)}
    assert colours <= {tuple(c) for c in ZONE_COLOURS.values()}


def test_snapshot_only_at_its_interval_and_on_rank_0(tmp_path):
    model = tiny_model().train()
    vis = AttentionVisualizer(name='snap_test2')
    hook = AttentionSnapshotHook(interval=10)
    for it, rank in ((8, 0), (9, 1)):
        runner = SimpleNamespace(model=model, rank=rank, iter=it,
                                 work_dir=str(tmp_path), visualizer=vis)
        hook.after_train_iter(runner, 0, batch())
    assert not osp.exists(tmp_path / 'snapshots')


def test_training_with_and_without_snapshots_is_identical():
    """Two training steps with a snapshot between them give the weights of
    two steps without one."""
    results = []
    for with_hook in (False, True):
        model = tiny_model().train()
        torch.manual_seed(1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        runner = SimpleNamespace(model=model, rank=0, iter=0, work_dir=None,
                                 visualizer=AttentionVisualizer(
                                     name=f'snap_id_{with_hook}'))
        hook = AttentionSnapshotHook(interval=1, out_dir=None)
        for _ in range(2):
            data = model.data_preprocessor(batch(), True)
            loss, _ = model.parse_losses(model(**data, mode='loss'))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if with_hook:
                hook.after_train_iter(runner, 0, batch())
        results.append(model.state_dict())
    for k in results[0]:
        assert torch.equal(results[0][k], results[1][k]), k
