"""Fully connected CRF post-processing (Krähenbühl & Koltun, 2011), as in
DeepLab's "w/ CRF" results. Needs the optional ``pydensecrf2`` package
(``pip install -e ".[crf]"``; it builds from source in about a minute).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

# DeepLab v1 (Chen et al., ICLR 2015), VGG16-LargeFOV on VOC 2012,
# cross-validated: w1 = 4, theta_alpha = 121, theta_beta = 5, w2 = 3,
# theta_gamma = 3, 10 mean-field iterations.
DEEPLAB_CRF = dict(bi_w=4.0, bi_xy_std=121.0, bi_rgb_std=5.0, pos_w=3.0,
                   pos_xy_std=3.0, iterations=10)

# IRN (Ahn et al., CVPR 2019, misc/imutils.crf_inference_label) for its
# confident CAM labels: unary from hard labels with probability 0.7 for the
# given label, smoothness w = 3 (sxy 3), appearance w = 10 (sxy 50, srgb 5),
# 10 iterations.
IRN_LABEL_CRF = dict(bi_w=10.0, bi_xy_std=50.0, bi_rgb_std=5.0, pos_w=3.0,
                     pos_xy_std=3.0, iterations=10)
IRN_GT_PROB = 0.7


def _densecrf():
    try:
        import pydensecrf.densecrf as dcrf
    except ImportError as err:
        raise ImportError(
            'dense CRF needs pydensecrf2: pip install "pydensecrf2==1.1" '
            '(or pip install -e ".[crf]")') from err
    return dcrf


def dense_crf(image: np.ndarray, probs: np.ndarray,
              bi_w: float = DEEPLAB_CRF['bi_w'],
              bi_xy_std: float = DEEPLAB_CRF['bi_xy_std'],
              bi_rgb_std: float = DEEPLAB_CRF['bi_rgb_std'],
              pos_w: float = DEEPLAB_CRF['pos_w'],
              pos_xy_std: float = DEEPLAB_CRF['pos_xy_std'],
              iterations: int = DEEPLAB_CRF['iterations'],
              eps: float = 1e-8) -> np.ndarray:
    """Refine class probabilities with a dense CRF.

    Args:
        image: uint8 ``[H, W, 3]`` (the colour space used for the bilateral
            kernel; RGB or BGR give the same result).
        probs: ``[C, H, W]`` probabilities (each pixel sums to 1).
        bi_w, bi_xy_std, bi_rgb_std: appearance kernel weight and widths.
        pos_w, pos_xy_std: smoothness kernel weight and width.
        iterations: mean-field iterations.

    Returns:
        np.ndarray: float32 ``[C, H, W]`` refined probabilities.
    """
    dcrf = _densecrf()
    c, h, w = probs.shape
    if image.shape[:2] != (h, w):
        raise ValueError(f'dense_crf: image {image.shape[:2]} and '
                         f'probabilities {(h, w)} differ in size')
    crf = dcrf.DenseCRF2D(w, h, c)
    unary = -np.log(np.clip(probs, eps, 1.0)).reshape(c, -1)
    crf.setUnaryEnergy(np.ascontiguousarray(unary, dtype=np.float32))
    if pos_w > 0:
        crf.addPairwiseGaussian(sxy=pos_xy_std, compat=pos_w)
    if bi_w > 0:
        crf.addPairwiseBilateral(sxy=bi_xy_std, srgb=bi_rgb_std,
                                 rgbim=np.ascontiguousarray(image,
                                                            dtype=np.uint8),
                                 compat=bi_w)
    q = crf.inference(iterations)
    return np.asarray(q, dtype=np.float32).reshape(c, h, w)


def crf_available() -> bool:
    try:
        _densecrf()
        return True
    except ImportError:
        return False


def crf_labels(image: np.ndarray, probs: np.ndarray,
               params: Optional[dict] = None) -> np.ndarray:
    """argmax of :func:`dense_crf` (int64 ``[H, W]``)."""
    return dense_crf(image, probs, **(params or {})).argmax(0)


def crf_from_labels(image: np.ndarray, labels: np.ndarray, n_labels: int,
                    gt_prob: float = IRN_GT_PROB,
                    params: Optional[dict] = None) -> np.ndarray:
    """Refine a hard label map (values 0..n_labels - 1) with a dense CRF,
    IRN's way: each pixel's unary gives ``gt_prob`` to its label and the
    rest evenly to the others (pydensecrf's ``unary_from_labels`` with
    ``zero_unsure=False``). Returns int64 ``[H, W]``.

    Args:
        image: uint8 ``[H, W, 3]``.
        labels: int ``[H, W]``.
        n_labels: number of labels (>= 2).
        gt_prob: probability of the given label.
        params: :func:`dense_crf` arguments (default :data:`IRN_LABEL_CRF`).
    """
    labels = np.asarray(labels, dtype=np.int64)
    if n_labels < 2:
        return np.zeros_like(labels)
    probs = np.full((n_labels, ) + labels.shape,
                    (1.0 - gt_prob) / (n_labels - 1), np.float32)
    np.put_along_axis(probs, labels[None], np.float32(gt_prob), axis=0)
    return crf_labels(image, probs, params or IRN_LABEL_CRF)
