"""AttentionInferencer: normalise, fuse A/B, flip, scales -- against numpy."""
import numpy as np
import pytest
import torch
import torch.nn as nn

from seenet_mm.apis import AttentionInferencer, normalize_maps


class FakeSeeNet(nn.Module):
    """Score maps that are a fixed function of the input pixels, so that a
    numpy reference can recompute them: M_A[c] = (c + 1) * R - G,
    M_B[c] = B * (c + 2) - R (channels of the preprocessed input)."""

    num_classes = 3

    def __init__(self, with_b=True):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))
        self.with_b = with_b
        self.data_preprocessor = lambda data, training: {
            'inputs': torch.stack(data['inputs']).float()}
        self.seen_labels = None

    def forward_branches(self, inputs, labels, with_c=True):
        self.seen_labels = labels
        r, g, b = inputs[:, 0], inputs[:, 1], inputs[:, 2]
        out = {'maps_a': torch.stack([(c + 1) * r - g for c in range(3)], 1)}
        if self.with_b:
            out['maps_b'] = torch.stack([b * (c + 2) - r for c in range(3)],
                                        1)
        return out


def reference(img, classes, with_b=True, flip=True):
    """numpy, per class, straight from the paper's test procedure."""
    x = img.transpose(2, 0, 1).astype(np.float64)  # [3, H, W] as preproc.

    def view(x):
        r, g, b = x
        maps = []
        for c in classes:
            a = (c) * r - g  # class id c -> index c - 1 -> factor c
            a = (a - a.min()) / max(a.max() - a.min(), 1e-5)
            if with_b:
                mb = b * (c + 1) - r
                mb = (mb - mb.min()) / max(mb.max() - mb.min(), 1e-5)
                a = np.maximum(a, mb)
            maps.append(a)
        return np.stack(maps)

    fused = view(x)
    if flip:
        fused = np.maximum(fused, view(x[:, :, ::-1])[:, :, ::-1])
    return fused


@pytest.mark.parametrize('with_b,flip', [(True, True), (False, True),
                                         (True, False)])
def test_matches_reference(with_b, flip):
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 255, (8, 8, 3)).astype(np.uint8) for _ in range(3)]
    classes = [[1], [2, 3], [3, 1]]
    model = FakeSeeNet(with_b)
    inf = AttentionInferencer(model, sizes=(8, ), flip=flip)
    out = inf(imgs, classes)
    for img, ids, att in zip(imgs, classes, out):
        ref = reference(img, ids, with_b, flip)
        assert att.shape == (len(ids), 8, 8)
        assert np.allclose(att, ref, atol=1e-5)
    # T_A is defined by the image's classes (and the flipped copies)
    labels = model.seen_labels
    assert labels.shape == (6 if flip else 3, 3)
    assert labels[1].tolist() == [0, 1, 1]
    assert set(inf.timings) == {'prepare', 'model', 'post'}


def test_resize_back_and_scales():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 255, (10, 14, 3)).astype(np.uint8)
    model = FakeSeeNet()
    single = AttentionInferencer(model, sizes=(8, ))([img], [[2]])[0]
    assert single.shape == (1, 10, 14)
    assert single.min() >= 0 and single.max() <= 1
    both_max = AttentionInferencer(model, sizes=(8, 12))([img], [[2]])[0]
    both_mean = AttentionInferencer(model, sizes=(8, 12),
                                    scale_fuse='mean')([img], [[2]])[0]
    s12 = AttentionInferencer(model, sizes=(12, ))([img], [[2]])[0]
    assert np.allclose(both_max, np.maximum(single, s12), atol=1e-6)
    assert np.allclose(both_mean, (single + s12) / 2, atol=1e-6)


def test_normalize_methods_and_errors():
    m = torch.tensor([[[-2.0, 0.0], [2.0, 6.0]]])
    assert torch.allclose(normalize_maps(m, 'minmax'),
                          torch.tensor([[[0.0, 0.25], [0.5, 1.0]]]))
    assert torch.allclose(normalize_maps(m, 'max'),
                          torch.tensor([[[0.0, 0.0], [1 / 3, 1.0]]]))
    assert torch.equal(normalize_maps(torch.ones(1, 2, 2)),
                       torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match='minmax'):
        normalize_maps(m, 'softmax')
    with pytest.raises(ValueError, match='scale_fuse'):
        AttentionInferencer(FakeSeeNet(), scale_fuse='median')
    with pytest.raises(ValueError, match='at least one class'):
        AttentionInferencer(FakeSeeNet(), sizes=(8, ))(
            [np.zeros((8, 8, 3), np.uint8)], [[]])


def test_preprocessing_comes_from_the_config_pipeline():
    """The inferencer resizes with the config's test pipeline (its Resize
    set to the test size) and normalises with the model's data
    preprocessor: the same as cv2.resize + (x - mean) / std by hand."""
    import cv2
    from mmengine.config import Config
    from mmengine.model import ImgDataPreprocessor

    from seenet_mm.apis.attention import attention_pipeline
    model = FakeSeeNet()
    model.data_preprocessor = ImgDataPreprocessor(
        mean=[10., 20., 30.], std=[2., 4., 8.], bgr_to_rgb=True)
    model.cfg = Config(dict(test_dataloader=dict(dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(112, 112), keep_ratio=False),
        dict(type='LoadAnnotations'),
        dict(type='PackImageLabelInputs')]))))
    model.test_cfg = dict(sizes=(16, ), flip=False)
    inf = AttentionInferencer(model)
    assert inf.sizes == (16, ) and inf.flip is False
    img = np.random.default_rng(2).integers(0, 255, (9, 13, 3)).astype(
        np.uint8)
    got = inf.prepare([img], 16)
    ref = cv2.resize(img, (16, 16), interpolation=cv2.INTER_LINEAR)
    ref = (ref[..., ::-1].astype(np.float32) - [10, 20, 30]) / [2, 4, 8]
    assert got.shape == (1, 3, 16, 16)
    assert np.allclose(got[0].permute(1, 2, 0).numpy(), ref, atol=1e-5)
    # arguments override test_cfg
    assert AttentionInferencer(model, sizes=[8, 12], flip=True).sizes == \
        (8, 12)
    with pytest.raises(ValueError, match='no Resize'):
        attention_pipeline([dict(type='LoadImageFromFile')], 16)
