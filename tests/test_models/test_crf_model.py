"""SegCRFModel: dense CRF on the segmentor's softmax at the original size,
single view and averaged over test-time views."""
import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from PIL import Image

from seenet_mm.crf import crf_available, dense_crf

pytestmark = pytest.mark.skipif(not crf_available(),
                                reason='pydensecrf2 not installed')


class _FixedLogitsSegmentor(BaseModel):
    """Returns logits given in its inputs (one view: ``[N, C, H, W]``)."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        raise NotImplementedError

    def test_step(self, data):
        out = []
        for logits, path in zip(data['inputs'], data['paths']):
            ds = SegDataSample(metainfo=dict(img_path=path))
            ds.seg_logits = PixelData(data=logits + self.weight)
            out.append(ds)
        return out


MODELS.register_module(name='_FixedLogitsSegmentorForCRFTest',
                       module=_FixedLogitsSegmentor, force=True)


def write_image(tmp_path, h=12, w=16, name='img.png'):
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    img[:, :w // 2] = (200, 30, 30)
    path = str(tmp_path / name)
    Image.fromarray(img).save(path)
    return img, path


def build(tta=False, crf=None, crf_workers=1):
    return MODELS.build(dict(
        type='SegCRFModel',
        module=dict(type='mmseg._FixedLogitsSegmentorForCRFTest'), tta=tta,
        crf=crf, crf_workers=crf_workers))


def test_single_view_equals_dense_crf_of_the_softmax(tmp_path):
    img, path = write_image(tmp_path)
    logits = torch.randn(3, 12, 16)
    model = build(crf=dict(iterations=5))
    out = model.test_step(dict(inputs=[logits], paths=[path]))
    ref = dense_crf(img, logits.softmax(0).numpy(), iterations=5).argmax(0)
    assert out[0].pred_sem_seg.data.shape == (1, 12, 16)
    assert np.array_equal(out[0].pred_sem_seg.data[0].numpy(), ref)


def test_tta_views_are_averaged_before_the_crf(tmp_path):
    img, path = write_image(tmp_path)
    views = [torch.randn(3, 12, 16) for _ in range(3)]
    model = build(tta=True)
    out = model.test_step(dict(inputs=[[v] for v in views],
                               paths=[[path]] * 3))
    probs = sum(v.softmax(0) for v in views) / 3
    ref = dense_crf(img, probs.numpy()).argmax(0)
    assert np.array_equal(out[0].pred_sem_seg.data[0].numpy(), ref)


def test_checkpoint_of_the_segmentor_loads_into_module():
    model = build()
    model.load_state_dict({'module.weight': torch.ones(1)})
    assert model.module.weight.item() == 1.0


def test_crf_workers_give_the_labels_of_one_process(tmp_path):
    """A batch of three images of different sizes: two CRF workers and one
    process give the same label maps, each the dense CRF of its image."""
    import copy
    imgs, paths, logits = [], [], []
    for i, (h, w) in enumerate([(12, 16), (10, 14), (12, 16)]):
        img, path = write_image(tmp_path, h, w, f'{i}.png')
        imgs.append(img)
        paths.append(path)
        logits.append(torch.randn(3, h, w))
    batch = dict(inputs=logits, paths=paths)
    pooled = build(crf=dict(iterations=5), crf_workers=2)
    out = pooled.test_step(batch)
    assert pooled.crf_pool()._executor is not None  # ran in workers
    serial = build(crf=dict(iterations=5)).test_step(batch)
    assert len(out) == len(serial) == 3
    for o, s, img, lg in zip(out, serial, imgs, logits):
        ref = dense_crf(img, lg.softmax(0).numpy(), iterations=5).argmax(0)
        assert np.array_equal(o.pred_sem_seg.data[0].numpy(), ref)
        assert np.array_equal(s.pred_sem_seg.data[0].numpy(), ref)
    # a copy of the model (as a hook may make) starts its own workers
    assert copy.deepcopy(pooled)._crf_pool is None


def test_tta_batch_with_crf_workers(tmp_path):
    """Two images with three views each: each image's views are averaged,
    its CRF run in the pool."""
    imgs, paths = zip(*[write_image(tmp_path, name=f'{i}.png')
                        for i in range(2)])
    views = [[torch.randn(3, 12, 16) for _ in range(2)] for _ in range(3)]
    model = build(tta=True, crf_workers=2)
    out = model.test_step(dict(inputs=views, paths=[list(paths)] * 3))
    for j in range(2):
        probs = sum(v[j].softmax(0) for v in views) / 3
        ref = dense_crf(imgs[j], probs.numpy()).argmax(0)
        assert np.array_equal(out[j].pred_sem_seg.data[0].numpy(), ref)


def test_crf_workers_below_one_is_an_error():
    with pytest.raises(ValueError, match='crf_workers must be an integer'):
        build(crf_workers=0)
