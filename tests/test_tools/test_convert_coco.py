"""tools/convert_coco.py on a fabricated COCO file: polygons, both RLE
kinds, crowd regions, overlaps, an image without objects; masks checked
pixel by pixel against masks drawn here with numpy; links, splits, resume
and bad input."""
import json
import os
import os.path as osp
import runpy

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, run_tool
from seenet_mm.datasets.coco import (CocoFormatError, convert_coco,
                                     format_summary, guess_split)
from seenet_mm.datasets.image_folder import (ImageFolderSegDataset,
                                             validate_folder)
from seenet_mm.fileio import load_label_png

# category ids as COCO's (not contiguous), listed out of order
CATEGORIES = [{'id': 90, 'name': 'toothbrush'}, {'id': 1, 'name': 'person'},
              {'id': 5, 'name': 'airplane'}, {'id': 3, 'name': 'car'}]
CLASSES = ['person', 'car', 'airplane', 'toothbrush']  # sorted by id
PERSON, CAR, AIRPLANE, TOOTHBRUSH = 1, 3, 5, 90


def box(x0, y0, x1, y1):
    """Rectangle polygon; pycocotools fills pixels x0..x1-1, y0..y1-1."""
    return [x0, y0, x1, y0, x1, y1, x0, y1]


def region(h, w, x0, y0, x1, y1):
    m = np.zeros((h, w), dtype=np.uint8)
    m[y0:y1, x0:x1] = 1
    return m


def rle_counts(mask):
    """Uncompressed COCO RLE: column-major runs, starting with zeros."""
    flat = mask.flatten(order='F')
    counts, value, run = [], 0, 0
    for v in flat:
        if v != value:
            counts.append(run)
            value, run = v, 0
        run += 1
    counts.append(run)
    return counts


def rle_string(counts):
    """Compressed COCO RLE (maskApi's string form): each count minus the
    one two before it (from the third on), 5 bits per character with a
    continuation bit, offset by 48."""
    out = []
    for i, x in enumerate(counts):
        if i > 2:
            x -= counts[i - 2]
        more = True
        while more:
            c = x & 0x1f
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | 0x20 if more else c) + 48))
    return ''.join(out)


def image(file_name, h, w, img_id):
    return {'id': img_id, 'file_name': file_name, 'height': h, 'width': w}


def ann(ann_id, img_id, cat, seg, crowd=0):
    return {'id': ann_id, 'image_id': img_id, 'category_id': cat,
            'segmentation': seg, 'iscrowd': crowd, 'area': 0.0,
            'bbox': [0, 0, 1, 1]}


def write_set(root, split, images, anns, categories=CATEGORIES):
    folder = osp.join(root, f'{split}2014')
    os.makedirs(folder, exist_ok=True)
    for img in images:
        Image.new('RGB', (img['width'], img['height']), (90, 120, 30)).save(
            osp.join(folder, img['file_name']), 'JPEG')
    path = osp.join(root, 'annotations', f'instances_{split}2014.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump({'images': images, 'annotations': anns,
                   'categories': categories}, f)
    return path, folder


A, B, EMPTY = ('COCO_train2014_000000000001.jpg',
               'COCO_train2014_000000000002.jpg',
               'COCO_train2014_000000000003.jpg')


def train_annotations():
    """Image A (30 x 40): a two-part person polygon (after a degenerate
    4-number polygon pycocotools would read as a box), a smaller car on it
    (listed first), a crowd of persons (uncompressed RLE) over the person's
    corner, a smaller airplane (compressed RLE) inside the crowd. Image B
    (16 x 20): a toothbrush (compressed RLE) under a car polygon. Image
    EMPTY: no annotation."""
    crowd = region(30, 40, 0, 18, 10, 30)
    plane = region(30, 40, 4, 22, 8, 26)
    brush = region(16, 20, 2, 2, 18, 14)
    anns = [
        ann(1, 1, CAR, [box(10, 8, 15, 12)]),
        ann(2, 1, PERSON, [[0, 0, 5, 5], box(2, 3, 20, 21),
                           box(30, 20, 36, 26)]),
        ann(3, 1, PERSON, {'size': [30, 40], 'counts': rle_counts(crowd)},
            crowd=1),
        ann(4, 1, AIRPLANE, {'size': [30, 40],
                             'counts': rle_string(rle_counts(plane))}),
        ann(5, 2, TOOTHBRUSH, {'size': [16, 20],
                               'counts': rle_string(rle_counts(brush))}),
        ann(6, 2, CAR, [box(5, 5, 9, 9)]),
    ]
    images = [image(A, 30, 40, 1), image(B, 16, 20, 2),
              image(EMPTY, 12, 12, 3)]
    return images, anns


def expected_masks():
    a = np.zeros((30, 40), np.uint8)
    a[3:21, 2:20] = 1  # person (largest, bottom)
    a[20:26, 30:36] = 1  # its second part
    a[18:30, 0:10] = 255  # crowd: smaller than the person, on top
    a[8:12, 10:15] = 2  # car on the person
    a[22:26, 4:8] = 3  # airplane inside the crowd
    b = np.zeros((16, 20), np.uint8)
    b[2:14, 2:18] = 4  # toothbrush
    b[5:9, 5:9] = 2  # car on top
    return {A: a, B: b}


@pytest.fixture
def coco(tmp_path):
    root = str(tmp_path / 'coco')
    train = write_set(root, 'train', *train_annotations())
    val = write_set(root, 'val', [image('COCO_val2014_000000000042.jpg',
                                        10, 14, 42)],
                    [ann(7, 42, AIRPLANE, [box(1, 1, 6, 6)])])
    return dict(root=root, train=train, val=val, out=str(tmp_path / 'out'))


def stem(name):
    return osp.splitext(name)[0]


def test_masks_labels_links(coco):
    ann_file, img_dir = coco['train']
    summary = convert_coco(ann_file, img_dir, coco['out'], progress=False)
    assert summary['split'] == 'train'  # guessed from the file name
    assert (summary['images'], summary['left_out'], summary['annotations'],
            summary['masks_written']) == (2, 1, 6, 2)
    with open(osp.join(coco['out'], 'train.json')) as f:
        data = json.load(f)
    assert data['metainfo']['classes'] == CLASSES
    # every instance counts, the crowd and the airplane inside it included
    assert data['data_list'] == [{'img_path': A, 'gt_label': [0, 1, 2]},
                                 {'img_path': B, 'gt_label': [1, 3]}]
    for name, want in expected_masks().items():
        got = load_label_png(osp.join(coco['out'], 'masks',
                                      stem(name) + '.png'))
        assert np.array_equal(got, want), name
        with Image.open(osp.join(coco['out'], 'masks',
                                 stem(name) + '.png')) as im:
            assert im.mode == 'P'
        link = osp.join(coco['out'], 'images', name)
        assert osp.islink(link) and not osp.isabs(os.readlink(link))
        assert osp.samefile(link, osp.join(img_dir, name))
    assert not osp.lexists(osp.join(coco['out'], 'images', EMPTY))
    assert not osp.exists(osp.join(coco['out'], 'masks',
                                   stem(EMPTY) + '.png'))
    assert not [f for f in os.listdir(coco['out']) if f.endswith('.tmp')]


def test_rerun_resumes_and_val_is_added(coco):
    ann_file, img_dir = coco['train']
    convert_coco(ann_file, img_dir, coco['out'], progress=False)
    masks = osp.join(coco['out'], 'masks')
    stamps = {f: os.stat(osp.join(masks, f)).st_mtime_ns
              for f in os.listdir(masks)}
    os.remove(osp.join(masks, stem(B) + '.png'))
    summary = convert_coco(ann_file, img_dir, coco['out'], progress=False)
    assert (summary['masks_written'], summary['masks_existing'],
            summary['links_made']) == (1, 1, 0)
    assert os.stat(osp.join(masks, stem(A) + '.png')).st_mtime_ns == \
        stamps[stem(A) + '.png']
    assert np.array_equal(load_label_png(osp.join(masks, stem(B) + '.png')),
                          expected_masks()[B])
    # the other split goes beside it
    val_ann, val_dir = coco['val']
    summary = convert_coco(val_ann, val_dir, coco['out'], progress=False)
    assert summary['split'] == 'val'
    with open(osp.join(coco['out'], 'val.json')) as f:
        val = json.load(f)
    assert val['metainfo']['classes'] == CLASSES
    assert val['data_list'] == [{'img_path': 'COCO_val2014_000000000042.jpg',
                                 'gt_label': [2]}]
    assert osp.isfile(osp.join(coco['out'], 'train.json'))
    want = np.zeros((10, 14), np.uint8)
    want[1:6, 1:6] = 3
    assert np.array_equal(load_label_png(osp.join(
        masks, 'COCO_val2014_000000000042.png')), want)
    # the folder reads as the own-folder format
    classes, splits = validate_folder(coco['out'])
    assert classes == CLASSES
    assert [i['gt_class_ids'] for i in splits['train']] == [[1, 2, 3],
                                                           [2, 4]]
    dataset = ImageFolderSegDataset(
        data_root=coco['out'], ann_file='val.json', pipeline=[],
        data_prefix=dict(img_path='images', seg_map_path='masks'))
    assert dataset.metainfo['classes'] == ('background', *CLASSES)
    assert osp.samefile(dataset[0]['img_path'], osp.join(
        val_dir, 'COCO_val2014_000000000042.jpg'))
    assert dataset[0]['seg_map_path'].endswith(
        osp.join('masks', 'COCO_val2014_000000000042.png'))
    # ... unless its classes differ
    other, _ = write_set(coco['root'] + '2', 'val',
                         [image('x.jpg', 8, 8, 1)],
                         [ann(1, 1, 1, [box(0, 0, 4, 4)])],
                         categories=[{'id': 1, 'name': 'cat'}])
    with pytest.raises(CocoFormatError, match='train.json holds 4 other '
                       'classes than this val split'):
        convert_coco(other, osp.join(coco['root'] + '2', 'val2014'),
                     coco['out'], progress=False)


@pytest.mark.parametrize('name,split', [
    ('instances_train2014.json', 'train'), ('instances_val2014.json', 'val'),
    ('annotations/instances_val2017.json', 'val'), ('coco_train.json',
                                                    'train')])
def test_split_is_guessed(name, split):
    assert guess_split(name) == split


@pytest.mark.parametrize('name', ['instances_minival2014.json',
                                  'trainval.json', 'train_val.json',
                                  'coco.json'])
def test_split_that_cannot_be_guessed(name):
    with pytest.raises(ValueError, match='give --split train|val'):
        guess_split(name)


def test_hardlink_and_no_link(coco):
    ann_file, img_dir = coco['train']
    out = coco['out'] + '_hard'
    convert_coco(ann_file, img_dir, out, link='hardlink', progress=False)
    dst = osp.join(out, 'images', A)
    assert not osp.islink(dst) and osp.samefile(dst, osp.join(img_dir, A))
    # none: nothing linked, the same JSON and masks
    out = coco['out'] + '_none'
    summary = convert_coco(ann_file, img_dir, out, link='none',
                           split='train', progress=False)
    assert os.listdir(osp.join(out, 'images')) == []
    assert summary['links_made'] == 0 and summary['masks_written'] == 2
    with open(osp.join(out, 'train.json')) as f:
        assert [d['img_path'] for d in json.load(f)['data_list']] == [A, B]
    assert 'nothing linked (--link none): put the images into' in \
        format_summary(summary)
    # a different file already under the link's name is an error
    os.makedirs(osp.join(coco['out'], 'images'))
    with open(osp.join(coco['out'], 'images', A), 'w') as f:
        f.write('not the image')
    with pytest.raises(FileExistsError, match='exists and is not'):
        convert_coco(ann_file, img_dir, coco['out'], progress=False)


@pytest.mark.parametrize('case,error,match', [
    ('category', CocoFormatError,
     r'instances_train2014.json: annotations\[1\] \(id 11\): category_id '
     r'7 is not in categories \(ids 1..90\)'),
    ('image', FileNotFoundError,
     r'image not found: .*COCO_train2014_000000000002.jpg '
     r'\(.*instances_train2014.json: images\[1\]'),
    ('rle_size', CocoFormatError,
     r'annotations\[0\] \(id 10\): RLE size \[5, 5\] differs from its '
     r'image \[30, 40\]'),
    ('image_id', CocoFormatError,
     r'annotations\[1\] \(id 11\): image_id 9 is not in images'),
    ('file_name', CocoFormatError,
     r"images\[1\]: file_name 'COCO_train2014_000000000001.jpg' is also "
     r'images\[0\]'),
    ('size', CocoFormatError,
     r'2 image\(s\) do not load at their annotated size, so their masks '
     r'would not line up:\n  .*COCO_train2014_000000000001.jpg '
     r'\(images\[0\]\) loads as 30x40, its annotation says 40x30: the '
     r'annotation is in the stored frame, and the image loads turned by '
     r'its EXIF orientation tag \(6\); remove the tag .*\n  '
     r'.*COCO_train2014_000000000002.jpg \(images\[1\]\) loads as 21x16, '
     r'its annotation says 20x16$'),
])
def test_bad_input_is_one_clear_error(coco, case, error, match):
    images, _ = train_annotations()
    anns = [ann(10, 1, PERSON, [box(0, 0, 4, 4)]),
            ann(11, 2, CAR, [box(0, 0, 4, 4)])]
    if case == 'category':
        anns[1]['category_id'] = 7
    if case == 'rle_size':
        anns[0]['segmentation'] = {'size': [5, 5], 'counts': [25]}
    if case == 'image_id':
        anns[1]['image_id'] = 9
    if case == 'file_name':
        images[1]['file_name'] = A
    root = coco['root'] + '_bad'
    ann_file, img_dir = write_set(root, 'train', images, anns)
    if case == 'image':
        os.remove(osp.join(img_dir, B))
    if case == 'size':  # A stored turned with an EXIF tag, B a pixel wider
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.new('RGB', (40, 30)).save(osp.join(img_dir, A),
                                        exif=exif.tobytes())
        Image.new('RGB', (21, 16)).save(osp.join(img_dir, B), 'JPEG')
    with pytest.raises(error, match=match):
        convert_coco(ann_file, img_dir, coco['out'], progress=False)
    assert not osp.exists(coco['out'])  # checked before anything is written


def test_command_line(coco):
    ann_file, img_dir = coco['train']
    proc = run_tool(['tools/convert_coco.py', '--ann', ann_file, '--images',
                     img_dir, '--out', coco['out'], '--workers', '2'])
    assert 'train: 2 images with 6 annotations of 4 classes' in proc.stdout
    assert '1 images without annotations left out' in proc.stdout
    assert 'masks: 2 written, 0 already there; links made: 2' in proc.stdout
    assert '2/2' in proc.stdout  # the progress bar
    for name, want in expected_masks().items():
        assert np.array_equal(load_label_png(osp.join(
            coco['out'], 'masks', stem(name) + '.png')), want)
    # errors: one line, no traceback (run in this process)
    main = runpy.run_path(osp.join(REPO, 'tools', 'convert_coco.py'),
                          run_name='convert_coco')['main']
    renamed = osp.join(osp.dirname(ann_file), 'instances.json')
    os.rename(ann_file, renamed)
    with pytest.raises(SystemExit, match=r"error: cannot tell the split "
                       r"from the file name 'instances.json': give --split"):
        main(['--ann', renamed, '--images', img_dir, '--out', coco['out']])
    main(['--ann', renamed, '--images', img_dir, '--out', coco['out'],
          '--split', 'val', '--workers', '1'])
    assert osp.isfile(osp.join(coco['out'], 'val.json'))
