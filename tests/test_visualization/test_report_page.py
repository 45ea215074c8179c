"""report.html: one self-contained page whose every plot is a PNG that
decodes and is not blank, with the metrics table; where a headless
Chromium is installed, every image of the page loads in it."""
import base64
import io
import json
import os
import os.path as osp
import re
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from seenet_mm.visualization.report_page import (write_compare_page,
                                                  write_report_page)

PLOTS = ['Stage times', 'Seed mIoU over the background threshold',
         'Seeds per class (best threshold)', 'Proxy labels per class',
         'Segmentation per class (val, single scale)',
         'Training: attention network', 'Training: segmentation']


def fake_work_dir(root):
    """The files a main job leaves: quality.json, two trainings' scalars,
    a gallery; and its report."""
    os.makedirs(root / 'gallery')
    quality = dict(
        classes=['cat', 'dog'],
        seeds=dict(thresholds=[0.1, 0.5, 0.9],
                   mIoU_per_threshold=[20.0, 60.0, 40.0],
                   best_threshold=0.5,
                   # quality.json stores a class never seen as null
                   best=dict(IoU=[90.0, 50.0, None],
                             fp_share=[10.0, None, None])),
        tuned=dict(threshold=0.9, mIoU=38.0, oracle_mIoU=58.0),
        labels=dict(IoU=[92.0, 61.0, 40.0], precision=[95.0, 70.0, 45.0],
                    recall=[96.0, 80.0, 75.0], fp_share=[40.0, 60.0, 80.0]))
    (root / 'quality.json').write_text(json.dumps(quality))
    os.makedirs(root / 'segmentation_test')
    (root / 'segmentation_test' / 'quality.json').write_text(json.dumps(
        dict(classes=['cat', 'dog'], labels=dict(
            IoU=[90.0, 55.0, 30.0], precision=[93.0, 65.0, None],
            recall=[97.0, 75.0, 30.0], fp_share=[30.0, 50.0, None]))))
    for folder in ('attention', 'segmentation'):
        vis = root / folder / '20260101_000000' / 'vis_data'
        os.makedirs(vis)
        vis.joinpath('scalars.json').write_text('\n'.join(
            json.dumps(dict(iter=i, loss=1.0 / i, loss_sa=0.5 / i))
            for i in range(10, 60, 10)) + '\n')
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (20, 60, 3), np.uint8)).save(
        root / 'gallery' / 'a.png')
    return dict(data_root='/d', preset='toy', seconds=12.0,
                stages=dict(settings={}, data=dict(seconds=2.0),
                            attention=dict(seconds=10.0)),
                metrics={'cls/mAP': 91.5, 'seed mIoU (best threshold)': 60.0},
                expected={'cls/mAP': dict(mean=91.66, std=1.94,
                                          within=True)})


COMPARE_PLOTS = [
    'Seed mIoU over the background threshold, per mode',
    'Scores per mode (mean and standard deviation over seeds)',
    'Seeds per class, per mode (best threshold, mean over seeds)']


def fake_compare(root):
    """Two modes, two seeds: each run's quality.json and compare row."""
    rows, qualities = [], {}
    for m, mode in enumerate(('cam', 'seenet')):
        for seed in (0, 1):
            curve = [10.0 + 5 * m + seed, 30.0 + m, 20.0 - seed]
            path = root / f'{mode}{seed}.json'
            path.write_text(json.dumps(dict(
                classes=['cat', 'dog'],
                seeds=dict(thresholds=[0.1, 0.5, 0.9],
                           mIoU_per_threshold=curve,
                           best=dict(IoU=[80.0 + seed, 40.0 + m, None])))))
            qualities[(mode, seed)] = str(path)
            rows.append((mode, seed, dict(
                seed_mIoU=max(curve), label_mIoU=50.0 + m + seed,
                seed_mIoU_tuned=max(curve) - 1, pxap=30.0 - m)))
    return rows, qualities


def test_compare_page_draws_every_plot(tmp_path):
    rows, qualities = fake_compare(tmp_path)
    path, drawn = write_compare_page(str(tmp_path), rows, qualities,
                                     ['| mode | seed |', '|---|---|'])
    assert drawn == COMPARE_PLOTS
    text, images = page_images(path)
    assert [alt for alt, _ in images] == COMPARE_PLOTS
    for alt, src in images:
        img = np.asarray(Image.open(io.BytesIO(base64.b64decode(
            src.split(',', 1)[1]))).convert('L'))
        assert img.std() > 1, f'{alt}: a blank image'
    assert '| mode | seed |' in text
    assert not re.search(r'(src|href)="(?!data:)', text)


def test_compare_page_without_quality_files_keeps_the_bars(tmp_path):
    rows, _ = fake_compare(tmp_path)
    _, drawn = write_compare_page(str(tmp_path), rows,
                                  {('cam', 0): str(tmp_path / 'none')}, [])
    assert drawn == COMPARE_PLOTS[1:2]


def page_images(path):
    text = open(path).read()
    return text, re.findall(r'<img alt="([^"]+)" src="([^"]+)"', text)


def test_page_is_self_contained_and_every_plot_drew(tmp_path):
    report = fake_work_dir(tmp_path)
    path, drawn = write_report_page(str(tmp_path), report)
    assert drawn == PLOTS  # no affinity training here
    text, images = page_images(path)
    assert [alt for alt, _ in images] == PLOTS + ['a.png']
    for alt, src in images:
        assert src.startswith('data:image/png;base64,'), alt
        img = np.asarray(Image.open(io.BytesIO(base64.b64decode(
            src.split(',', 1)[1]))).convert('L'))
        assert img.shape[0] > 10 and img.shape[1] > 10, alt
        assert img.std() > 1, f'{alt}: a blank image'
    assert '<td>cls/mAP</td><td>91.50</td><td>91.66 ± 1.94</td>' in text
    assert 'seed mIoU (best threshold)' in text
    assert not re.search(r'(src|href)="(?!data:)', text)  # nothing outside


def _browser():
    for name in ('chromium', 'chromium-browser', 'google-chrome',
                 'google-chrome-stable'):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.skipif(_browser() is None,
                    reason='no headless Chromium on this machine '
                    '(apt-get install chromium)')
def test_page_renders_in_headless_chromium(tmp_path):
    """Chromium loads the page; a script counts the images that decoded
    (naturalWidth > 0) and writes the count into the title."""
    report = fake_work_dir(tmp_path)
    path, drawn = write_report_page(str(tmp_path), report)
    probe = tmp_path / 'probe.html'
    probe.write_text(open(path).read().replace(
        '</body>', '<script>window.addEventListener("load", () => {'
        'const imgs = [...document.images];'
        'document.title = "loaded " + imgs.filter('
        'i => i.complete && i.naturalWidth > 0).length + " of " + '
        'imgs.length;});</script></body>'))
    out = subprocess.run(
        [_browser(), '--headless', '--no-sandbox', '--disable-gpu',
         '--virtual-time-budget=5000', '--dump-dom', probe.as_uri()],
        capture_output=True, text=True, timeout=120)
    title = re.search(r'<title>([^<]*)</title>', out.stdout)
    total = len(drawn) + 1  # the plots and the gallery row
    assert title and title.group(1) == f'loaded {total} of {total}', \
        out.stdout[-500:] + out.stderr[-500:]
    shot = tmp_path / 'shot.png'
    subprocess.run([_browser(), '--headless', '--no-sandbox',
                    '--disable-gpu', f'--screenshot={shot}',
                    '--window-size=1100,2400', probe.as_uri()],
                   capture_output=True, timeout=120)
    assert osp.isfile(shot)
    pixels = np.asarray(Image.open(shot).convert('L'))
    assert pixels.std() > 5  # drawn, not a blank page
