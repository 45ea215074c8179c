"""Median frequency weights against a reference written per class."""
import numpy as np
import pytest

from seenet_mm.datasets import class_pixel_counts, median_frequency_weights
from seenet_mm.fileio import save_label_png


def _reference(labels, num_classes):
    # per class: its pixels over the labelled pixels of the images holding it
    freq = {}
    for c in range(num_classes):
        own = sum(int((lab == c).sum()) for lab in labels)
        if own == 0:
            continue
        total = sum(int((lab != 255).sum()) for lab in labels
                    if (lab == c).any())
        freq[c] = own / total
    median = sorted(freq.values())[len(freq) // 2] if len(freq) % 2 else \
        0.5 * sum(sorted(freq.values())[len(freq) // 2 - 1:len(freq) // 2 + 1])
    return [median / freq[c] if c in freq else 1.0 for c in range(num_classes)]


def test_weights_match_reference(tmp_path):
    rng = np.random.default_rng(0)
    labels = []
    for i in range(5):
        lab = np.zeros((6, 7), np.uint8)
        lab[rng.random((6, 7)) < 0.2] = 1
        if i % 2:
            lab[:2, :2] = 2
        lab[5, :3] = 255
        labels.append(lab)
        save_label_png(str(tmp_path / f'{i}.png'), lab)
    paths = [str(tmp_path / f'{i}.png') for i in range(5)]
    pixels, image_pixels = class_pixel_counts(paths, 4)
    assert pixels.tolist() == [sum(int((lab == c).sum()) for lab in labels)
                               for c in range(4)]
    got = median_frequency_weights(pixels, image_pixels)
    np.testing.assert_allclose(got, _reference(labels, 4), rtol=1e-12)
    assert got[3] == 1.0  # absent class
    assert got[0] < got[1]  # the background, frequent, weighs least
    capped = median_frequency_weights(pixels, image_pixels, max_weight=1.5)
    assert max(capped) <= 1.5


def test_label_outside_the_classes_names_the_file(tmp_path):
    save_label_png(str(tmp_path / 'a.png'), np.full((2, 2), 7, np.uint8))
    with pytest.raises(ValueError, match='a.png: label 7 outside'):
        class_pixel_counts([str(tmp_path / 'a.png')], 3)


def test_no_labelled_pixel_is_an_error():
    with pytest.raises(ValueError, match='no labelled pixel'):
        median_frequency_weights(np.zeros(3), np.zeros(3))
