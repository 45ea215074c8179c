"""Fully connected CRF post-processing (Krähenbühl & Koltun, 2011), as in
DeepLab's "w/ CRF" results. Needs the optional ``pydensecrf2`` package
(``pip install -e ".[crf]"``; it builds from source in about a minute).
"""
from __future__ import annotations

import multiprocessing
import os
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from typing import List, Optional, Sequence

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


def cores_available() -> int:
    """Cores this process may run on (its CPU affinity), the default number
    of CRF workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def check_workers(workers: int, option: str = 'crf_workers') -> int:
    """``workers`` if it is an int >= 1, else a ``ValueError`` naming
    ``option``."""
    if isinstance(workers, bool) or not isinstance(workers, int) \
            or workers < 1:
        raise ValueError(f'{option} must be an integer >= 1, got {workers!r}')
    return workers


def _crf_labels_job(image: np.ndarray, probs: np.ndarray,
                    params: dict) -> np.ndarray:
    # one worker job; module level so that it pickles by name
    return crf_labels(image, probs, params)


class CRFPool:
    """:func:`crf_labels` of several images at once, in ``workers``
    processes.

    :meth:`submit` returns a future of the label map, so the caller can go on
    (e.g. with the next image's forward pass) while the CRF runs. The
    workers are forked (on Linux) when the first image is submitted: they
    run only numpy and pydensecrf, so a parent that has started CUDA or
    threads is fine, and nothing is imported again. With ``workers=1``, or
    where the processes cannot be started (a warning then), each CRF runs in
    this process inside :meth:`submit`. The label maps are the same either
    way: each image's CRF is one deterministic computation, whichever
    process runs it.

    Args:
        workers: number of processes (>= 1).
        params: :func:`dense_crf` arguments (default: DeepLab's).

    Example:
        >>> with CRFPool(2) as pool:
        ...     labels = pool.labels(images, probs)  # [H, W] int64 each
    """

    def __init__(self, workers: int, params: Optional[dict] = None) -> None:
        self.workers = check_workers(workers)
        self.params = dict(params or {})
        self._executor: Optional[ProcessPoolExecutor] = None

    def _start(self) -> Optional[ProcessPoolExecutor]:
        if self._executor is None and self.workers > 1:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                'fork' if 'fork' in methods else None)
            try:
                self._executor = ProcessPoolExecutor(self.workers,
                                                     mp_context=context)
            except (OSError, ImportError, NotImplementedError) as err:
                warnings.warn(f'CRFPool: cannot start {self.workers} worker '
                              f'processes ({err}); the CRF runs in this '
                              'process')
                self.workers = 1
        return self._executor

    def submit(self, image: np.ndarray, probs: np.ndarray) -> Future:
        """Queue one image's CRF.

        Args:
            image: uint8 ``[H, W, 3]``.
            probs: ``[C, H, W]`` probabilities.

        Returns:
            Future: its ``result()`` is the int64 ``[H, W]`` label map (or
            raises the CRF's error).
        """
        executor = self._start()
        if executor is not None:
            try:
                return executor.submit(_crf_labels_job, image, probs,
                                       self.params)
            except OSError as err:  # fork failed on the first submit
                warnings.warn(f'CRFPool: cannot start {self.workers} worker '
                              f'processes ({err}); the CRF runs in this '
                              'process')
                self.close()
                self.workers = 1
        future: Future = Future()
        try:
            future.set_result(_crf_labels_job(image, probs, self.params))
        except Exception as err:  # same behaviour as a worker's error
            future.set_exception(err)
        return future

    def labels(self, images: Sequence[np.ndarray],
               probs: Sequence[np.ndarray]) -> List[np.ndarray]:
        """:func:`crf_labels` of each (image, probabilities) pair, in order.

        Args:
            images: uint8 ``[H, W, 3]`` each.
            probs: ``[C, H, W]`` each, the same sizes as ``images``.

        Returns:
            list: int64 ``[H, W]`` label maps.
        """
        if len(images) != len(probs):
            raise ValueError(f'CRFPool.labels: {len(images)} images and '
                             f'{len(probs)} probability maps')
        futures = [self.submit(i, p) for i, p in zip(images, probs)]
        return [f.result() for f in futures]

    def close(self) -> None:
        """Stop the worker processes (after their queued jobs)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def __enter__(self) -> 'CRFPool':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
