"""LoadSaliencyMap, LoadAttentionMaps, GenerateProxyLabel: the labels made
while loading equal Algorithm 1 on the files (make_proxy_labels.py's)."""
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmseg.registry import TRANSFORMS
from PIL import Image

from seenet_mm.datasets.label_rules import proxy_label
from seenet_mm.attention_codec import load_attention, save_attention
from seenet_mm.fileio import load_saliency


def write_inputs(tmp_path, h=6, w=8, sal_size=None):
    rng = np.random.default_rng(0)
    att = rng.random((2, h, w)).astype(np.float32)
    (tmp_path / 'att').mkdir()
    (tmp_path / 'sal').mkdir()
    save_attention(str(tmp_path / 'att' / 'img1.npz'), [3, 12], att)
    sh, sw = sal_size or (h, w)
    sal = rng.integers(0, 256, (sh, sw), dtype=np.uint8)
    Image.fromarray(sal).save(tmp_path / 'sal' / 'img1.png')
    return dict(img_path=str(tmp_path / 'JPEGImages' / 'img1.jpg'),
                img=np.zeros((h, w, 3), np.uint8), ori_shape=(h, w))


def pipeline(tmp_path, **kwargs):
    return Compose([TRANSFORMS.build(t) for t in (
        dict(type='LoadSaliencyMap', saliency_dir=str(tmp_path / 'sal')),
        dict(type='LoadAttentionMaps', attention_dir=str(tmp_path / 'att')),
        dict(type='GenerateProxyLabel', **kwargs))])


@pytest.mark.parametrize('kwargs', [{}, dict(w=2.0),
                                    dict(ignore_multi_thr=0.5,
                                         ignore_conflict=(0.2, 0.8))])
def test_labels_equal_algorithm1_on_the_files(tmp_path, kwargs):
    results = pipeline(tmp_path, **kwargs)(write_inputs(tmp_path))
    classes, att = load_attention(str(tmp_path / 'att' / 'img1.npz'))
    sal, _ = load_saliency(str(tmp_path / 'sal' / 'img1.png'))
    ref = proxy_label(sal, att, classes,
                      w=kwargs.get('w', 1.0),
                      ignore_multi_thr=kwargs.get('ignore_multi_thr'),
                      ignore_conflict=kwargs.get('ignore_conflict'))
    assert np.array_equal(results['gt_seg_map'], ref)
    assert set(np.unique(ref)) <= {0, 3, 12, 255}
    # the inputs are consumed; the label is a segmentation field
    assert 'saliency' not in results and 'attention' not in results
    assert results['seg_fields'] == ['gt_seg_map']


def test_label_moves_with_later_geometric_transforms(tmp_path):
    results = pipeline(tmp_path)(write_inputs(tmp_path))
    label = results['gt_seg_map'].copy()
    flipped = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0,
                                    direction='horizontal'))(results)
    assert np.array_equal(flipped['gt_seg_map'], label[:, ::-1])


def test_saliency_of_another_size_is_resized(tmp_path):
    results = pipeline(tmp_path)(write_inputs(tmp_path, sal_size=(3, 4)))
    assert results['gt_seg_map'].shape == (6, 8)


def test_errors_name_the_file_or_the_missing_step(tmp_path):
    inputs = write_inputs(tmp_path)
    inputs['ori_shape'] = (5, 8)
    load = TRANSFORMS.build(dict(type='LoadAttentionMaps',
                                 attention_dir=str(tmp_path / 'att')))
    with pytest.raises(ValueError, match='img1.npz: attention size'):
        load(inputs)
    missing = dict(inputs, ori_shape=(6, 8),
                   img_path=str(tmp_path / 'nope.jpg'))
    with pytest.raises(FileNotFoundError, match='nope.npz'):
        load(missing)
    with pytest.raises(KeyError, match='LoadSaliencyMap'):
        TRANSFORMS.build(dict(type='GenerateProxyLabel'))(dict(
            attention=np.zeros((1, 2, 2)), attention_classes=[1]))


def test_carry_saliency_moves_the_map_with_the_image(tmp_path):
    # the saliency map is the image's first channel: whatever the crop,
    # resize and flip do to the image, the map must come out as that channel
    rng = np.random.default_rng(3)
    grey = rng.integers(0, 256, (40, 56), dtype=np.uint8)
    img = np.stack([grey, 255 - grey, grey // 2], axis=2)
    (tmp_path / 'JPEGImages').mkdir()
    (tmp_path / 'saliency').mkdir()
    Image.fromarray(grey).save(tmp_path / 'saliency' / 'a.png')
    pipe = Compose([TRANSFORMS.build(t) for t in (
        dict(type='LoadSaliencyMap'),  # the folder beside JPEGImages
        dict(type='CarrySaliency', transforms=[
            dict(type='mmpretrain.RandomResizedCrop', scale=24,
                 crop_ratio_range=(0.3, 0.6)),
            dict(type='RandomFlip', prob=1.0, direction='horizontal')]),
        dict(type='PackImageLabelInputs', num_classes=3))])
    np.random.seed(0)
    out = pipe(dict(img_path=str(tmp_path / 'JPEGImages' / 'a.jpg'),
                    img=img.copy(), ori_shape=(40, 56), gt_class_ids=[2]))
    sal = out['data_samples'].gt_saliency.data
    assert tuple(sal.shape) == (1, 24, 24)
    assert out['inputs'].shape == (3, 24, 24)
    assert np.array_equal(np.rint(sal[0].numpy() * 255).astype(np.uint8),
                          out['inputs'][0].numpy())
    assert out['data_samples'].flip
    # not the identity: the crop took a part of the image
    assert not np.array_equal(out['inputs'][0].numpy(), grey[:24, :24])


def test_carry_saliency_errors(tmp_path):
    carry = TRANSFORMS.build(dict(type='CarrySaliency', transforms=[]))
    with pytest.raises(KeyError, match='put LoadSaliencyMap before it'):
        carry(dict(img=np.zeros((4, 4, 3), np.uint8)))
    with pytest.raises(ValueError, match='differs from the image'):
        carry(dict(img=np.zeros((4, 4, 3), np.uint8), img_path='x.jpg',
                   saliency=np.zeros((4, 5), np.float32)))
    pack = TRANSFORMS.build(dict(type='PackImageLabelInputs', num_classes=2))
    with pytest.raises(ValueError, match='CarrySaliency'):
        pack(dict(img=np.zeros((4, 4, 3), np.uint8), img_path='x.jpg',
                  saliency=np.zeros((5, 4), np.float32)))
