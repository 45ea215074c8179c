"""Class weights of a segmentation loss from the training labels.

Median frequency balancing (Eigen & Fergus, ICCV 2015; SegNet's CamVid
recipe): ``freq(c)`` is the pixels of class ``c`` over the pixels of the
images where ``c`` is present, and ``w(c) = median(freq) / freq(c)``. A
class rare in the labels (a pole, a sign) weighs more than the background
that fills most of every image.
"""
from __future__ import annotations

from typing import Iterable, List, Optional

import numpy as np

from ..fileio import load_label_png

IGNORE = 255


def class_pixel_counts(label_paths: Iterable[str], num_classes: int,
                       ignore_index: int = IGNORE) -> tuple:
    """``(pixels, image_pixels)``: float64 ``[num_classes]`` each; the
    pixels of each class, and the labelled pixels of the images that hold
    the class. A label outside ``0..num_classes-1`` (not ``ignore_index``)
    is a ``ValueError`` naming the file."""
    pixels = np.zeros(num_classes, np.float64)
    image_pixels = np.zeros(num_classes, np.float64)
    for path in label_paths:
        label = load_label_png(path)
        valid = label[label != ignore_index]
        if valid.size and int(valid.max()) >= num_classes:
            raise ValueError(f'{path}: label {int(valid.max())} outside the '
                             f'{num_classes} classes of the model')
        counts = np.bincount(valid.ravel(), minlength=num_classes)
        pixels += counts
        image_pixels += (counts > 0) * float(valid.size)
    return pixels, image_pixels


def median_frequency_weights(pixels: np.ndarray, image_pixels: np.ndarray,
                             max_weight: Optional[float] = None
                             ) -> List[float]:
    """Median frequency balancing from :func:`class_pixel_counts`. The
    median is over the classes present; a class absent from every label
    gets weight 1 (no pixel carries it). ``max_weight`` caps the weights."""
    pixels = np.asarray(pixels, np.float64)
    image_pixels = np.asarray(image_pixels, np.float64)
    present = pixels > 0
    if not present.any():
        raise ValueError('median frequency weights: no labelled pixel')
    freq = np.where(present, pixels / np.maximum(image_pixels, 1), 0.0)
    median = float(np.median(freq[present]))
    weights = np.where(present, median / np.where(present, freq, 1.0), 1.0)
    if max_weight is not None:
        weights = np.minimum(weights, float(max_weight))
    return [float(w) for w in weights]
