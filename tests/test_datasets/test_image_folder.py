"""The own-folder format: datasets, checks and errors (each naming the file
and the entry), the class list from train.json, optional masks."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from seenet_mm.datasets import (FolderFormatError, ImageFolderSegDataset,
                                ImageLabelFolderDataset, LoadMaskIfExists,
                                PackImageLabelInputs, read_split,
                                validate_folder)

CLASSES = ['kiwi', 'mango', 'plum']


def write_folder(root, train=None, val=None, classes=CLASSES, masks=()):
    """Images a..e (8x6 RGB), train.json / val.json, masks of ``masks``."""
    os.makedirs(osp.join(root, 'images'), exist_ok=True)
    os.makedirs(osp.join(root, 'masks'), exist_ok=True)
    for name in 'abcde':
        Image.fromarray(np.full((6, 8, 3), 100, np.uint8)).save(
            osp.join(root, 'images', name + '.png'))
    train = train if train is not None else [
        dict(img_path='a.png', gt_label=[0, 2]),
        dict(img_path='b.png', gt_label=['mango'])]
    val = val if val is not None else [dict(img_path='c.png', gt_label=[1])]
    for split, data in (('train', train), ('val', val)):
        if data is None:
            continue
        with open(osp.join(root, f'{split}.json'), 'w') as f:
            json.dump(dict(metainfo=dict(classes=classes), data_list=data),
                      f)
    for name in masks:
        Image.fromarray(np.array([[0, 1], [2, 255]], np.uint8)).save(
            osp.join(root, 'masks', name + '.png'))
    return str(root)


def test_dataset_reads_classes_and_labels(tmp_path):
    root = write_folder(tmp_path, masks=['c'])
    ds = ImageLabelFolderDataset(data_root=root, ann_file='train.json',
                                 pipeline=[])
    assert ds.metainfo['classes'] == tuple(CLASSES)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    assert [i['gt_class_ids'] for i in infos] == [[1, 3], [2]]
    assert [i['img_id'] for i in infos] == ['a', 'b']
    assert infos[0]['img_path'] == osp.join(root, 'images', 'a.png')
    assert all(i['num_classes'] == 3 for i in infos)
    assert 'seg_map_path' not in infos[0]
    # val with masks: the mask path when it exists
    val = ImageLabelFolderDataset(
        data_root=root, ann_file='val.json', pipeline=[],
        data_prefix=dict(img_path='images', seg_map_path='masks'))
    assert val.get_data_info(0)['seg_map_path'] == osp.join(root, 'masks',
                                                            'c.png')
    # segmentation: the background first, the VOC palette
    seg = ImageFolderSegDataset(data_root=root, ann_file='val.json',
                                pipeline=[])
    assert seg.metainfo['classes'] == ('background', *CLASSES)
    assert seg.metainfo['palette'][:2] == [[0, 0, 0], [128, 0, 0]]
    assert seg.get_data_info(0)['seg_map_path'].endswith('masks/c.png')


def test_pack_image_labels_takes_m_from_the_data_info():
    img = np.zeros((4, 4, 3), np.uint8)
    out = PackImageLabelInputs()(dict(img=img, gt_class_ids=[1, 3],
                                      num_classes=3))
    assert out['data_samples'].gt_class_labels.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match='outside 1..3'):
        PackImageLabelInputs()(dict(img=img, gt_class_ids=[4],
                                    num_classes=3))
    with pytest.raises(ValueError, match=r'num_classes=20\) disagrees with '
                       "the dataset's 3 classes"):
        PackImageLabelInputs(num_classes=20)(dict(img=img, gt_class_ids=[1],
                                                  num_classes=3))


def test_load_mask_if_exists(tmp_path):
    root = write_folder(tmp_path, masks=['c'])
    load = LoadMaskIfExists()
    out = load(dict(seg_map_path=osp.join(root, 'masks', 'c.png'),
                    reduce_zero_label=False, seg_fields=[]))
    assert out['gt_seg_map'].tolist() == [[0, 1], [2, 255]]
    assert 'gt_seg_map' not in load(dict(img_path='x', seg_fields=[]))


@pytest.mark.parametrize('train, message', [
    ([dict(img_path='a.png', gt_label=['banana'])],
     r"train.json: data_list\[0\] \(a.png\): label 'banana' is not in "
     r'metainfo.classes \(kiwi, mango, plum\)'),
    ([dict(img_path='a.png', gt_label=[0]),
      dict(img_path='b.png', gt_label=[3])],
     r'train.json: data_list\[1\] \(b.png\): gt_label index 3 out of range '
     r'0..2'),
    ([dict(img_path='a.png', gt_label=[0]),
      dict(img_path='a.png', gt_label=[1])],
     r"data_list\[1\] \(a.png\): image 'a' is listed twice \(also "
     r'data_list\[0\]\)'),
    ([], r'train.json: "data_list" is empty'),
    ([dict(img_path='a.png', gt_label=[])],
     r'data_list\[0\] \(a.png\): no class label'),
    ([dict(img_path='../a.png', gt_label=[0])],
     'img_path must be a file name inside the images folder'),
])
def test_bad_entries_are_one_error_naming_file_and_entry(tmp_path, train,
                                                         message):
    root = write_folder(tmp_path, train=train)
    with pytest.raises(FolderFormatError, match=message):
        ImageLabelFolderDataset(data_root=root, ann_file='train.json',
                                pipeline=[])
    with pytest.raises(FolderFormatError, match=message):
        validate_folder(root)


def test_missing_image_and_overlap_and_classes(tmp_path):
    root = write_folder(tmp_path / 'missing', train=[
        dict(img_path='zz.jpg', gt_label=[0])])
    with pytest.raises(FileNotFoundError,
                       match=r'data_list\[0\] \(zz.jpg\): image not found: '
                       r'.*images/zz.jpg'):
        read_split(osp.join(root, 'train.json'),
                   osp.join(root, 'images'))
    root = write_folder(tmp_path / 'overlap', val=[
        dict(img_path='b.png', gt_label=[1])])
    with pytest.raises(FolderFormatError,
                       match=r'val.json: data_list\[0\] \(b.png\): the image '
                       r'is listed in .*train.json as well'):
        ImageLabelFolderDataset(data_root=root, ann_file='val.json',
                                pipeline=[])
    with pytest.raises(FolderFormatError, match='listed in'):
        validate_folder(root)
    # another class list in val.json
    root = write_folder(tmp_path / 'classes')
    with open(osp.join(root, 'val.json'), 'w') as f:
        json.dump(dict(metainfo=dict(classes=['kiwi']),
                       data_list=[dict(img_path='c.png', gt_label=[0])]), f)
    with pytest.raises(FolderFormatError, match="val.json: metainfo.classes "
                       r"\['kiwi'\] differ from the classes in use"):
        validate_folder(root)
    # a config whose metainfo disagrees with the file
    root = write_folder(tmp_path / 'cfg')
    with pytest.raises(FolderFormatError, match="config's metainfo.classes"):
        ImageLabelFolderDataset(data_root=root, ann_file='train.json',
                                metainfo=dict(classes=['x']), pipeline=[])
    with open(osp.join(root, 'train.json'), 'w') as f:
        f.write('{"metainfo": {"classes": []}, "data_list": []}')
    with pytest.raises(FolderFormatError, match='non-empty list of class '
                       'names'):
        validate_folder(root)


def test_unreadable_images_and_misfit_masks_before_any_stage_writes(
        tmp_path):
    from conftest import run_tool
    root = write_folder(tmp_path / 'data')
    good = open(osp.join(root, 'images', 'b.png'), 'rb').read()
    for name in ('a', 'c'):  # a truncated file and garbage
        with open(osp.join(root, 'images', name + '.png'), 'wb') as f:
            f.write(good[:len(good) // 2] if name == 'a' else b'garbage')
    with pytest.raises(ValueError) as info:
        validate_folder(root, workers=2, progress=False)
    message = str(info.value)
    assert message.startswith(f'2 of 3 images of {root} cannot be read')
    for name in ('a', 'c'):
        assert osp.join(root, 'images', name + '.png') in message
    work = tmp_path / 'work'
    # (--preset toy: its configs need no downloaded weights, so the data
    # check is the first to speak)
    proc = run_tool(['tools/pipeline.py', '--data-root', root, '--work-dir',
                     str(work), '--preset', 'toy'], check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert f'2 of 3 images of {root} cannot be read' in proc.stderr
    assert osp.join(root, 'images', 'a.png') in proc.stderr
    assert os.listdir(work) == []
    # readable images, a mask of another size than its image
    root = write_folder(tmp_path / 'masks', masks=['c'])
    with pytest.raises(ValueError, match=r"1 mask\(s\) do not fit their "
                       r"images:\n  .*masks/c.png is 2x2, its image "
                       r".*images/c.png 8x6"):
        validate_folder(root, progress=False)
