"""Image-level labels from XML (never masks), packing, mAP."""
import json
import os.path as osp
import shutil

import numpy as np
import pytest
import torch

from seenet_mm.datasets import (PackImageLabelInputs, VOCImageLabelDataset,
                                read_voc_xml_labels)
from seenet_mm.toy import VOC_CLASSES


def voc(toy_root):
    return osp.join(toy_root, 'VOCdevkit', 'VOC2012')


def test_labels_come_from_xml(toy_root):
    root = voc(toy_root)
    ds = VOCImageLabelDataset(data_root=root,
                              ann_file='ImageSets/Segmentation/train.txt',
                              pipeline=[])
    assert len(ds) == 18
    for info in ds:
        from PIL import Image
        seg = np.array(Image.open(osp.join(
            root, 'SegmentationClass', info['img_id'] + '.png')))
        # the toy set's masks agree with its XML, so this checks the parse
        assert info['gt_class_ids'] == sorted(set(np.unique(seg)) - {0, 255})


def test_xml_not_masks(tmp_path, toy_root):
    root = str(tmp_path / 'VOC2012')
    shutil.copytree(voc(toy_root), root)
    name = open(osp.join(root, 'ImageSets/Segmentation/val.txt')).read(
    ).split()[0]
    # remove the masks entirely: labels must still load
    shutil.rmtree(osp.join(root, 'SegmentationClass'))
    xml = osp.join(root, 'Annotations', name + '.xml')
    text = open(xml).read()
    first = text.split('<name>')[1].split('</name>')[0]
    open(xml, 'w').write(text.replace(f'<name>{first}</name>',
                                      '<name>sheep</name>'))
    ds = VOCImageLabelDataset(data_root=root,
                              ann_file='ImageSets/Segmentation/val.txt',
                              pipeline=[])
    assert 17 in ds[0]['gt_class_ids']  # sheep


def test_label_file_overrides_xml(tmp_path, toy_root):
    names = open(osp.join(voc(toy_root), 'ImageSets/Segmentation/val.txt')
                 ).read().split()
    label_file = str(tmp_path / 'labels.json')
    json.dump({n: ['dog', 15] for n in names}, open(label_file, 'w'))
    ds = VOCImageLabelDataset(data_root=voc(toy_root), label_file=label_file,
                              ann_file='ImageSets/Segmentation/val.txt',
                              pipeline=[])
    assert all(info['gt_class_ids'] == [12, 15] for info in ds)


def test_bad_annotations_are_named(tmp_path):
    (tmp_path / 'Annotations').mkdir()
    (tmp_path / 'split.txt').write_text('a\nb\n')
    (tmp_path / 'Annotations' / 'a.xml').write_text(
        '<annotation><object><name>unicorn</name></object></annotation>')
    with pytest.raises(KeyError, match=r'a\.xml.*unicorn'):
        VOCImageLabelDataset(data_root=str(tmp_path), ann_file='split.txt')
    (tmp_path / 'Annotations' / 'a.xml').write_text('<annotation/>')
    with pytest.raises(ValueError, match=r'a\.xml: image a has no class'):
        VOCImageLabelDataset(data_root=str(tmp_path), ann_file='split.txt')
    (tmp_path / 'Annotations' / 'a.xml').write_text('<annotation><obj')
    with pytest.raises(ValueError, match='not a valid XML'):
        read_voc_xml_labels(str(tmp_path / 'Annotations' / 'a.xml'))
    (tmp_path / 'Annotations' / 'a.xml').write_text(
        '<annotation><object><name>cat</name></object></annotation>')
    with pytest.raises(FileNotFoundError, match=r'b\.xml'):
        VOCImageLabelDataset(data_root=str(tmp_path), ann_file='split.txt')


def test_pack_image_label_inputs():
    img = np.random.randint(0, 255, (6, 7, 3), np.uint8)
    out = PackImageLabelInputs()(dict(img=img, gt_class_ids=[1, 20],
                                      img_path='x.jpg', ori_shape=(6, 7)))
    assert out['inputs'].shape == (3, 6, 7)
    assert torch.equal(out['inputs'][:, 2, 3], torch.from_numpy(img[2, 3]))
    labels = out['data_samples'].gt_class_labels
    assert labels.tolist() == [1.0] + [0.0] * 18 + [1.0]
    assert out['data_samples'].img_path == 'x.jpg'
    with pytest.raises(ValueError, match='class id 21'):
        PackImageLabelInputs()(dict(img=img, gt_class_ids=[21]))
