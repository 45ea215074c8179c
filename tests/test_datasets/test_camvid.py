"""tools/dataset_converters/camvid.py on a tiny folder in CamVid's layout
made here (views, masks, labels against counts taken from the written
masks, saliency crops, resume, bad input) and on two real photos of
../shared/data/camvid, whose output the own-folder dataset classes load."""
import hashlib
import json
import os
import os.path as osp
import runpy
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import REPO, run_tool
from seenet_mm.datasets.camvid import (CAMVID_CLASSES, DEFAULT_CLASSES,
                                       CamvidFormatError, convert_camvid,
                                       find_splits, format_summary,
                                       parse_classes, pixel_threshold,
                                       view_boxes)
from seenet_mm.fileio import load_label_png

SHARED_CAMVID = osp.join(REPO, '..', 'shared', 'data', 'camvid')
TOOL = osp.join('tools', 'dataset_converters', 'camvid.py')
CLASSES = ['car', 'pedestrian', 'bicyclist', 'sign', 'pole', 'fence']
# CamVid value -> output id, written out by hand (not the converter's table)
OUT_ID = {8: 1, 9: 2, 10: 3, 6: 4, 2: 5, 7: 6, 11: 255}
H, W = 8, 12  # photos; a 2x2 grid gives 4x6 views of 24 pixels
MIN = 3       # pixels a class needs in a view (an absolute count)
SKY, BUILDING, POLE, ROAD, SIGN, FENCE, CAR, PED, BIKE, VOID = \
    0, 1, 2, 3, 6, 7, 8, 9, 10, 11


def hand_mask():
    """Photo ``a``: r0c0 car 3 px (labelled), pedestrian 2 px (not);
    r0c1 sign 5 px, pole 1 px, void 4 px; r1c0 road and void only (no
    class: left out); r1c1 fence 3, bicyclist 4, pole 3 px."""
    m = np.full((H, W), SKY, np.uint8)
    m[0, 0:3] = CAR
    m[1, 0:2] = PED
    m[0:4, 6:12] = BUILDING
    m[0, 6:11] = SIGN
    m[1, 6] = POLE
    m[3, 8:12] = VOID
    m[4:8, 0:6] = ROAD
    m[7, 0:3] = VOID
    m[4, 6:9] = FENCE
    m[5, 6:10] = BIKE
    m[6, 6:9] = POLE
    return m


def make_root(root, splits=('train', 'val'), saliency=('train',),
              seed=0):
    """Two photos a split: train ``a`` (hand_mask, PNG) and ``b`` (random
    mask, JPEG), the other splits random masks and PNG photos; saliency
    maps for the splits in ``saliency``. Returns the arrays written."""
    rng = np.random.default_rng(seed)
    made = {}
    for split in splits:
        names = ['a', 'b'] if split == 'train' else [f'{split}1', f'{split}2']
        for sub in (split, split + 'annot'):
            os.makedirs(osp.join(root, sub), exist_ok=True)
        with open(osp.join(root, split + '.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')
        for name in names:
            photo = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
            mask = hand_mask() if name == 'a' else rng.integers(
                0, 12, (H, W), dtype=np.uint8)
            ext = '.jpg' if name == 'b' else '.png'
            path = osp.join(root, split, name + ext)
            Image.fromarray(photo).save(path)
            if ext == '.jpg':  # the pixels as mmcv (OpenCV) decodes them
                photo = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
            Image.fromarray(mask, mode='L').save(
                osp.join(root, split + 'annot', name + '.png'))
            sal = None
            if split in saliency:
                sal = rng.integers(0, 256, (H, W), dtype=np.uint8)
                os.makedirs(osp.join(root, 'saliency', split), exist_ok=True)
                Image.fromarray(sal, mode='L').save(
                    osp.join(root, 'saliency', split, name + '.png'))
            made[name] = dict(split=split, photo=photo, mask=mask, sal=sal)
    return made


def snapshot(root):
    """Every file of ``root`` with its bytes' digest and mtime."""
    out = {}
    for folder, _, files in os.walk(root):
        for f in files:
            path = osp.join(folder, f)
            with open(path, 'rb') as fh:
                out[path] = (hashlib.sha1(fh.read()).hexdigest(),
                             os.stat(path).st_mtime_ns)
    return out


def expected_mask(mask):
    return np.vectorize(lambda v: OUT_ID.get(int(v), 0),
                        otypes=[np.uint8])(mask)


def read_json(path):
    with open(path) as f:
        return json.load(f)


@pytest.fixture
def camvid(tmp_path):
    root = str(tmp_path / 'camvid')
    made = make_root(root)
    return dict(root=root, out=str(tmp_path / 'out'), made=made)


def convert(camvid, **kwargs):
    kwargs.setdefault('min_pixels', MIN)
    kwargs.setdefault('progress', False)
    return convert_camvid(camvid['root'], camvid['out'], **kwargs)


def test_views_masks_labels_saliency(camvid):
    before = snapshot(camvid['root'])
    summary = convert(camvid)
    out, made = camvid['out'], camvid['made']
    assert snapshot(camvid['root']) == before  # ROOT only read
    assert summary['classes'] == CLASSES
    listed = {}
    for split in ('train', 'val'):
        data = read_json(osp.join(out, f'{split}.json'))
        assert data['metainfo'] == dict(classes=CLASSES)
        for entry in data['data_list']:
            listed[entry['img_path'][:-4]] = (split, entry['gt_label'])
    views = 0
    for name, m in made.items():
        for suffix, y0, y1, x0, x1 in view_boxes(H, W, (2, 2)):
            views += 1
            view = name + suffix
            assert (y1 - y0, x1 - x0) == (4, 6)
            want = expected_mask(m['mask'][y0:y1, x0:x1])
            # labels another way: pixel counts of the wanted mask
            labels = [i for i in range(len(CLASSES))
                      if (want == i + 1).sum() >= MIN]
            files = [osp.join(out, sub, view + '.png')
                     for sub in ('images', 'masks', 'saliency')]
            if not labels:  # left out: no file, not listed
                assert view not in listed
                assert not any(osp.exists(f) for f in files)
                continue
            assert listed[view] == (m['split'], labels)
            assert np.array_equal(np.asarray(Image.open(files[0])),
                                  m['photo'][y0:y1, x0:x1])  # lossless
            got = load_label_png(files[1])
            assert Image.open(files[1]).mode == 'P'
            assert np.array_equal(got, want)
            if m['sal'] is None:
                assert not osp.exists(files[2])
            else:
                assert np.array_equal(np.asarray(Image.open(files[2])),
                                      m['sal'][y0:y1, x0:x1])
    assert len(listed) < views  # some views were left out
    # the hand-made photo: exactly what its docstring says
    assert {v: lab for v, (_, lab) in listed.items() if v.startswith('a_')} \
        == {'a_r0c0': [0], 'a_r0c1': [3], 'a_r1c1': [2, 4, 5]}
    a_r0c1 = load_label_png(osp.join(out, 'masks', 'a_r0c1.png'))
    assert (a_r0c1 == 255).sum() == 4 and (a_r0c1 == 4).sum() == 5
    assert set(np.unique(a_r0c1)) == {0, 4, 5, 255}
    # the summary
    train = summary['splits']['train']
    assert train['photos'] == 2 and train['views'] == 8
    assert train['listed'] + train['left_out'] == 8
    assert train['written'] == train['listed'] and train['existing'] == 0
    assert train['saliency'] and not summary['splits']['val']['saliency']
    assert train['threshold'] == MIN
    for split, info in summary['splits'].items():
        entries = [lab for s, lab in listed.values() if s == split]
        assert info['presence'] == [sum(i in lab for lab in entries)
                                    for i in range(len(CLASSES))]
    text = format_summary(summary)
    assert 'train: 2 photos, 8 views' in text
    assert 'presence: car ' in text
    assert not [f for _, _, fs in os.walk(out) for f in fs
                if f.startswith('.')]  # no temporary file left
    assert read_json(osp.join(out, 'camvid_views.json')) == dict(
        grid=[2, 2], classes=[[n, c] for n, c in DEFAULT_CLASSES])


def test_rerun_skips_finished_views_and_resumes(camvid):
    first = convert(camvid)
    out = camvid['out']
    before = snapshot(out)
    again = convert(camvid)
    after = snapshot(out)
    assert after.keys() == before.keys()
    for path, (digest, mtime) in after.items():  # the views not rewritten
        assert digest == before[path][0]
        assert mtime == before[path][1] or path.endswith('.json')
    for split in ('train', 'val'):
        info = again['splits'][split]
        assert info['written'] == 0
        assert info['existing'] == first['splits'][split]['written']
    # a killed run: one mask and the JSON missing
    view = read_json(osp.join(out, 'train.json'))['data_list'][0]['img_path']
    os.remove(osp.join(out, 'masks', view))
    os.remove(osp.join(out, 'train.json'))
    resumed = convert(camvid)
    assert resumed['splits']['train']['written'] == 1
    after = snapshot(out)
    assert after[osp.join(out, 'masks', view)][0] == before[osp.join(
        out, 'masks', view)][0]
    assert after[osp.join(out, 'train.json')][0] == before[osp.join(
        out, 'train.json')][0]
    # other settings on the same folder: refused
    with pytest.raises(CamvidFormatError, match=r'holds views made with '
                       r'grid \[2, 2\].*asks for \[3, 3\].*another folder'):
        convert(camvid, grid=(3, 3))
    with pytest.raises(CamvidFormatError, match='holds views made with '
                       'classes'):
        convert(camvid, classes=['Car', 'Pole'])


def test_splits_test_and_others(tmp_path):
    root = str(tmp_path / 'camvid')
    make_root(root, splits=('train', 'val', 'test', 'extra'),
              saliency=('train', 'test'))
    with open(osp.join(root, 'notes.txt'), 'w') as f:
        f.write('not a split\n')
    assert find_splits(root) == ['train', 'val', 'test', 'extra']
    out = str(tmp_path / 'out')
    summary = convert_camvid(root, out, min_pixels=MIN, progress=False)
    assert list(summary['splits']) == ['train', 'val', 'test', 'extra']
    assert osp.isfile(osp.join(out, 'test.json'))
    for split in summary['splits']:  # crops where ROOT has saliency maps
        for entry in read_json(osp.join(out, f'{split}.json'))['data_list']:
            assert osp.isfile(osp.join(out, 'saliency', entry['img_path'])) \
                == (split in ('train', 'test'))
    only = convert_camvid(root, str(tmp_path / 'only'), splits=['val'],
                          min_pixels=MIN, progress=False)
    assert list(only['splits']) == ['val']
    assert sorted(f for f in os.listdir(str(tmp_path / 'only'))
                  if f.endswith('.json')) == ['camvid_views.json',
                                              'val.json']


def test_grid_threshold_and_classes():
    assert pixel_threshold(0.005, 240 * 180) == 216
    assert pixel_threshold(0.125, 24) == 3
    assert pixel_threshold(0.0001, 24) == 1
    assert pixel_threshold(50, 24) == 50
    boxes = view_boxes(360, 480, (3, 3))
    assert [b[0] for b in boxes[:4]] == ['_r0c0', '_r0c1', '_r0c2', '_r1c0']
    assert {(b[2] - b[1], b[4] - b[3]) for b in boxes} == {(120, 160)}
    uneven = view_boxes(7, 5, (2, 3))  # covers every pixel once
    cover = np.zeros((7, 5), int)
    for _, y0, y1, x0, x1 in uneven:
        cover[y0:y1, x0:x1] += 1
    assert (cover == 1).all()
    assert parse_classes(DEFAULT_CLASSES) == [
        ('car', 8), ('pedestrian', 9), ('bicyclist', 10), ('sign', 6),
        ('pole', 2), ('fence', 7)]
    assert parse_classes(['Car', 'sign=signsymbol']) == [('car', 8),
                                                         ('sign', 6)]
    for bad, match in ((['Truck'], "'Truck' is not a CamVid class"),
                       (['Car', 'auto=Car'], 'CamVid class Car is used '
                        'twice'),
                       (['x=Car', 'x=Pole'], 'name x is used twice'),
                       (['background=Sky'], 'not "background"'),
                       ([], 'non-empty')):
        with pytest.raises(ValueError, match=match):
            parse_classes(bad)
    assert len(CAMVID_CLASSES) == 11


def _break(root, case):
    annot = osp.join(root, 'trainannot')
    if case == 'missing mask':
        os.remove(osp.join(annot, 'a.png'))
    elif case == 'unreadable mask':
        with open(osp.join(annot, 'a.png'), 'wb') as f:
            f.write(b'not a png')
    elif case == 'mask size':
        Image.fromarray(np.zeros((H, W + 2), np.uint8)).save(
            osp.join(annot, 'a.png'))
    elif case == 'mask values':
        m = hand_mask()
        m[2, 2], m[3, 3] = 12, 200
        Image.fromarray(m).save(osp.join(annot, 'a.png'))
    elif case == 'colour mask':
        Image.fromarray(np.zeros((H, W, 3), np.uint8)).save(
            osp.join(annot, 'a.png'))
    elif case == 'missing photo':
        os.remove(osp.join(root, 'train', 'b.jpg'))
    elif case == 'missing saliency':
        os.remove(osp.join(root, 'saliency', 'train', 'b.png'))
    elif case == 'listed twice':
        with open(osp.join(root, 'train.txt'), 'a') as f:
            f.write('a\n')
    elif case == 'in two splits':
        with open(osp.join(root, 'val.txt'), 'a') as f:
            f.write('a\n')
    elif case == 'missing annot folder':
        shutil.rmtree(osp.join(root, 'valannot'))


@pytest.mark.parametrize('case, error, match', [
    ('missing mask', CamvidFormatError,
     r'nothing was written:\n  mask not found: .*trainannot/a.png'),
    ('unreadable mask', CamvidFormatError,
     r'trainannot/a.png: not a readable mask'),
    ('mask size', CamvidFormatError,
     r'trainannot/a.png is 14x8, its photo .*train/a.png 12x8'),
    ('mask values', CamvidFormatError,
     r'trainannot/a.png: values 12, 200 outside 0..11'),
    ('colour mask', CamvidFormatError,
     r'trainannot/a.png: expected a palette or grey PNG'),
    ('missing photo', CamvidFormatError,
     r"image not found: .*train/b\{.jpg,.jpeg,.png\} \(photo 'b' of "
     r'train.txt\)'),
    ('missing saliency', CamvidFormatError,
     r'saliency map not found: .*saliency/train/b.png'),
    ('listed twice', CamvidFormatError,
     r"train.txt:3: 'a' is listed twice \(also line 1\)"),
    ('in two splits', CamvidFormatError,
     r"val.txt: 'a' is listed in train.txt as well"),
    ('missing annot folder', FileNotFoundError,
     r'val: folder not found: .*valannot'),
])
def test_bad_input_is_one_clear_error(camvid, case, error, match):
    _break(camvid['root'], case)
    with pytest.raises(error, match=match):
        convert(camvid)
    assert not osp.exists(camvid['out'])  # checked before anything written


def test_bad_arguments(camvid, tmp_path):
    for kwargs, match in ((dict(grid=(0, 2)), 'grid must be two integers'),
                          (dict(min_pixels=0), 'min_pixels must be'),
                          (dict(min_pixels=2.5), 'min_pixels must be'),
                          (dict(workers=0), 'workers must be')):
        with pytest.raises(ValueError, match=match):
            convert(camvid, **kwargs)
    with pytest.raises(ValueError, match='inside the CamVid folder'):
        convert_camvid(camvid['root'], osp.join(camvid['root'], 'views'),
                       progress=False)
    with pytest.raises(CamvidFormatError,
                       match='is 12x8: too small for a 9x2 grid'):
        convert(camvid, grid=(9, 2))
    with pytest.raises(CamvidFormatError, match='none of the 8 views holds '
                       'a class'):
        convert(camvid, min_pixels=25)
    with pytest.raises(FileNotFoundError, match='no split'):
        os.makedirs(str(tmp_path / 'empty'))
        convert_camvid(str(tmp_path / 'empty'), str(tmp_path / 'o'),
                       progress=False)
    assert not osp.exists(camvid['out'])


def test_command_line(camvid):
    proc = run_tool([TOOL, camvid['root'], camvid['out'], '--grid', '2',
                     '2', '--min-pixels', str(MIN), '--workers', '2'])
    assert 'train: 2 photos, 8 views' in proc.stdout
    assert 'presence: car ' in proc.stdout
    assert osp.isfile(osp.join(camvid['out'], 'val.json'))
    main = runpy.run_path(osp.join(REPO, TOOL), run_name='camvid')['main']
    _break(camvid['root'], 'mask values')
    with pytest.raises(SystemExit, match=r'(?s)error: 1 problem\(s\) in .*'
                       r'trainannot/a.png: values 12, 200 outside 0..11'):
        main([camvid['root'], camvid['out'] + '2'])


def test_real_photos_load_with_the_own_folder_datasets(tmp_path):
    if not osp.isfile(osp.join(SHARED_CAMVID, 'train.txt')):
        pytest.skip(f'no CamVid at {osp.normpath(SHARED_CAMVID)} (a clone '
                    'has no ../shared; see docs/data.md)')
    from mmcv.transforms import LoadImageFromFile
    from seenet_mm.datasets import (ImageFolderSegDataset,
                                    ImageLabelFolderDataset,
                                    LoadMaskIfExists, LoadSaliencyMap,
                                    validate_folder)
    root = str(tmp_path / 'camvid')  # two photos a split, copied
    for split in ('train', 'val'):
        with open(osp.join(SHARED_CAMVID, split + '.txt')) as f:
            names = f.read().split()[:2]
        for sub, ext in ((split, '.jpg'), (split + 'annot', '.png'),
                         (osp.join('saliency', split), '.png')):
            os.makedirs(osp.join(root, sub), exist_ok=True)
            for name in names:
                shutil.copy(osp.join(SHARED_CAMVID, sub, name + ext),
                            osp.join(root, sub, name + ext))
        with open(osp.join(root, split + '.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')
    out = str(tmp_path / 'views')
    summary = convert_camvid(root, out, progress=False)
    assert summary['splits']['train']['views'] == 8
    assert summary['splits']['train']['threshold'] == 216
    classes, splits = validate_folder(out, workers=1, progress=False)
    assert classes == CLASSES
    ds = ImageLabelFolderDataset(
        data_root=out, ann_file='train.json', pipeline=[],
        data_prefix=dict(img_path='images', seg_map_path='masks'))
    assert len(ds) == summary['splits']['train']['listed']
    info = ds.get_data_info(0)
    assert info['num_classes'] == 6 and info['gt_class_ids']
    results = LoadImageFromFile()(dict(info))
    results = LoadMaskIfExists()(results)
    results = LoadSaliencyMap()(results)
    assert results['img'].shape == (180, 240, 3)
    assert results['gt_seg_map'].shape == (180, 240)
    assert set(np.unique(results['gt_seg_map'])) <= {0, *range(1, 7), 255}
    for i in range(len(CLASSES)):  # the label and the mask agree
        assert ((results['gt_seg_map'] == i + 1).sum() >= 216) == \
            (i + 1 in info['gt_class_ids'])
    assert results['saliency'].shape == (180, 240)
    seg = ImageFolderSegDataset(data_root=out, ann_file='val.json',
                                pipeline=[])
    assert seg.metainfo['classes'] == ('background', *CLASSES)
    assert len(seg) == len(splits['val'])
