"""Salient-object maps from a U²-Net / IS-Net style ONNX model, run by
onnxruntime on the CPU: :func:`make_saliency_maps`, behind
``tools/make_saliency.py``.

    python tools/make_saliency.py MODEL.onnx --image-dir IMG --out-dir SAL
        [--size H W] [--mean R G B] [--std R G B] [--workers N]
        [--threads N] [--list FILE] [--no-progress]

The model: one input ``[N, 3, H, W]`` (float32, or float16, then fed as
such), and a first output that is a single map, ``[N, 1, H, W]`` or
``[N, H, W]`` (IS-Net and U²-Net give their fused map first; the side
outputs after it are ignored).

Per image (IS-Net's recipe, which made the maps in
``../shared/data/camvid/saliency``; see its README): the image as every
stage loads it (``mmcv.imread``, RGB, EXIF orientation applied, see
:mod:`seenet_mm.images`), resized to ``size`` by PIL's bilinear filter,
``(x / 255 - mean) / std`` per channel, NCHW; the first output's map
min-max normalised to [0, 1] (a constant map gives zeros), times 255,
rounded to uint8, resized back to the image by PIL's bilinear filter
(rounded to uint8 before the resize, as the recipe). PIL's filter, not
OpenCV's INTER_LINEAR, is what reproduces the shared maps: PIL's bilinear
widens its support when it shrinks (an antialiasing triangle filter),
OpenCV's samples 2x2 pixels; on the shared CamVid maps PIL's gives 99.95 %
of the pixels equal, OpenCV's (either or both resizes) 96-97 %.

The maps are 8-bit grey PNGs ``SAL/<stem>.png`` (the format
:func:`seenet_mm.fileio.load_saliency` reads), each written atomically; a
map already there is skipped, so a killed run resumes where it stopped.
"""
from __future__ import annotations

import glob
import os.path as osp
from multiprocessing import get_all_start_methods, get_context
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from .. import locking
from ..fileio import IMAGE_SUFFIXES, find_image, save_grey_png
from ..images import check_images, listing

# IS-Net's input (ISNet-general-use): 1024 x 1024, x / 255 - 0.5
ISNET_SIZE = (1024, 1024)
ISNET_MEAN = (0.5, 0.5, 0.5)
ISNET_STD = (1.0, 1.0, 1.0)

_BILINEAR = getattr(Image, 'Resampling', Image).BILINEAR
_INPUT_TYPES = {'tensor(float)': np.float32, 'tensor(float16)': np.float16}

# the session of this process (a pool worker's own, or the main process's)
_WORKER: Dict[str, Any] = {}


def _ort():
    try:
        import onnxruntime
    except ImportError:
        raise ImportError(
            'saliency maps need onnxruntime: pip install onnxruntime '
            '(or pip install "seenet-mm[saliency]")') from None
    return onnxruntime


def open_session(model_path: str, threads: int = 0):
    """An onnxruntime CPU session of ``model_path`` with ``threads``
    intra-op threads (0: onnxruntime's default).

    Raises:
        FileNotFoundError: no such file.
        ValueError: naming the file, when it is not an ONNX model
            onnxruntime can load.
    """
    if not osp.isfile(model_path):
        raise FileNotFoundError(f'saliency model not found: {model_path}')
    ort = _ort()
    options = ort.SessionOptions()
    options.intra_op_num_threads = int(threads)
    options.log_severity_level = 3  # errors only: no notes per session
    try:
        return ort.InferenceSession(model_path, options,
                                    providers=['CPUExecutionProvider'])
    except Exception as err:  # onnxruntime's own exception types
        raise ValueError(f'{model_path}: not an ONNX model onnxruntime can '
                         f'load ({str(err).strip()})') from None


def check_session(session, model_path: str,
                  size: Tuple[int, int]) -> Tuple[str, Any]:
    """The input name and dtype of a salient-object model; one
    ``ValueError`` naming ``model_path`` when the session is not one: not
    a single ``[N, 3, H, W]`` float input (of ``size`` where the model
    fixes it), or a first output that is not one map."""
    inputs = session.get_inputs()
    outputs = session.get_outputs()
    if len(inputs) != 1:
        raise ValueError(
            f'{model_path}: not a salient-object model: it takes '
            f'{len(inputs)} inputs ({", ".join(i.name for i in inputs)}), '
            'expected one image [N, 3, H, W]')
    x = inputs[0]
    shape = list(x.shape) if x.shape is not None else None
    if shape is None or len(shape) != 4 or (
            isinstance(shape[1], int) and shape[1] != 3):
        raise ValueError(
            f'{model_path}: not a salient-object model: its input '
            f'{x.name} is {shape}, expected an image [N, 3, H, W]')
    if x.type not in _INPUT_TYPES:
        raise ValueError(
            f'{model_path}: its input {x.name} is a {x.type}, expected '
            'tensor(float) or tensor(float16)')
    fixed = tuple(shape[2:])
    if all(isinstance(d, int) for d in fixed) and fixed != tuple(size):
        raise ValueError(
            f'{model_path}: the model takes {fixed[0]}x{fixed[1]} inputs '
            f'(H x W), not {size[0]}x{size[1]}: pass --size {fixed[0]} '
            f'{fixed[1]}')
    if not outputs:
        raise ValueError(f'{model_path}: the model has no output')
    y = outputs[0]
    out = list(y.shape) if y.shape is not None else None
    # an output of unknown shape is checked on the first image instead
    if out is not None and not (
            len(out) == 3 or (len(out) == 4 and (
                not isinstance(out[1], int) or out[1] == 1))):
        raise ValueError(
            f'{model_path}: not a salient-object model: its first output '
            f'{y.name} is {out}, expected one map [N, 1, H, W] or '
            '[N, H, W]')
    return x.name, _INPUT_TYPES[x.type]


def preprocess(rgb: np.ndarray, size: Tuple[int, int],
               mean: Sequence[float], std: Sequence[float],
               dtype: Any = np.float32) -> np.ndarray:
    """The model's input ``[1, 3, H, W]`` of an RGB uint8 image: resized
    to ``size`` (H, W; PIL bilinear), ``(x / 255 - mean) / std``."""
    resized = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8))
    resized = resized.resize((int(size[1]), int(size[0])), _BILINEAR)
    x = np.asarray(resized, dtype=np.float32) / np.float32(255)
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None]).astype(dtype)


def output_map(output: np.ndarray, model_path: str) -> np.ndarray:
    """float32 ``[H, W]``: the map ``[0, 0]`` of an ``[N, 1, H, W]``
    output (``[0]`` of ``[N, H, W]``); a ``ValueError`` naming the model
    for any other shape."""
    output = np.asarray(output)
    if output.ndim == 4 and output.shape[1] == 1:
        return output[0, 0].astype(np.float32)
    if output.ndim == 3:
        return output[0].astype(np.float32)
    raise ValueError(
        f'{model_path}: not a salient-object model: its first output is '
        f'{list(output.shape)}, expected one map [N, 1, H, W] or [N, H, W]')


def grey_map(sal: np.ndarray, height: int, width: int) -> np.ndarray:
    """uint8 ``[height, width]``: ``sal`` min-max normalised to [0, 1] (a
    constant map: zeros), times 255, rounded, then resized (PIL
    bilinear)."""
    low, high = float(sal.min()), float(sal.max())
    if not high > low:  # constant: nothing stands out
        norm = np.zeros(sal.shape, np.float32)
    else:
        norm = (sal - np.float32(low)) / np.float32(high - low)
    grey = np.round(np.clip(norm, 0, 1) * 255).astype(np.uint8)
    if grey.shape == (height, width):
        return grey
    return np.asarray(Image.fromarray(grey).resize(
        (int(width), int(height)), _BILINEAR))


def saliency_of(session, rgb: np.ndarray, model_path: str,
                size: Tuple[int, int], mean: Sequence[float],
                std: Sequence[float], image: str = 'the image'
                ) -> np.ndarray:
    """uint8 ``[H, W]`` saliency map of one RGB uint8 image ``[H, W, 3]``
    (:func:`preprocess`, the model's first output, :func:`grey_map`);
    ``image`` names it in the error of a map that is not finite."""
    name, dtype = check_session(session, model_path, size)
    x = preprocess(rgb, size, mean, std, dtype)
    first = session.get_outputs()[0].name
    sal = output_map(session.run([first], {name: x})[0], model_path)
    if not np.isfinite(sal).all():  # a broken model: no map of zeros
        raise ValueError(f'{model_path}: its map of {image} holds NaN or '
                         'infinite values')
    return grey_map(sal, *rgb.shape[:2])


def _init_worker(opts: dict) -> None:
    _WORKER.update(opts, session=open_session(opts['model_path'],
                                              opts['threads']))


def _map_job(job: Tuple[str, str]) -> str:
    """Write the map of one ``(stem, image path)``; returns the stem."""
    import mmcv
    stem, path = job
    rgb = mmcv.imread(path, channel_order='rgb')
    if rgb is None:  # check_images read it: changed since
        raise ValueError(f'{path}: not a readable image')
    grey = saliency_of(_WORKER['session'], rgb, _WORKER['model_path'],
                       _WORKER['size'], _WORKER['mean'], _WORKER['std'],
                       image=path)
    save_grey_png(osp.join(_WORKER['out_dir'], stem + '.png'),
                  grey.astype(np.float32) / np.float32(255))
    return stem


def image_paths(image_dir: str, names: Optional[Sequence[str]] = None
                ) -> List[Tuple[str, str]]:
    """``(stem, path)`` of the images of ``image_dir``: those of ``names``
    (each found with :func:`seenet_mm.fileio.find_image`), or every
    ``.jpg`` / ``.jpeg`` / ``.png`` there (the first suffix in that order
    where a stem has several), sorted by stem.

    Raises:
        FileNotFoundError: no such folder, or images of ``names`` missing
            (all named at once).
        ValueError: a folder without images, or ``names`` empty.
    """
    if not osp.isdir(image_dir):
        raise FileNotFoundError(f'image folder not found: {image_dir}')
    if names is not None:
        names = list(dict.fromkeys(names))
        if not names:
            raise ValueError('the list of images to make maps of is empty')
        found, missing = [], []
        for stem in names:
            try:
                found.append((stem, find_image(image_dir, stem)))
            except FileNotFoundError as err:
                missing.append(str(err))
        if missing:
            raise FileNotFoundError(listing(
                f'{len(missing)} of {len(names)} listed images are not in '
                f'{image_dir}', missing))
        return found
    stems = {}
    for suffix in IMAGE_SUFFIXES:
        for path in glob.glob(osp.join(glob.escape(image_dir),
                                       '*' + suffix)):
            stems.setdefault(osp.basename(path)[:-len(suffix)], path)
    if not stems:
        raise ValueError(f'{image_dir}: no images (.jpg, .jpeg, .png)')
    return sorted(stems.items())


def make_saliency_maps(model_path: str, image_dir: str, out_dir: str, *,
                       size: Sequence[int] = ISNET_SIZE,
                       mean: Sequence[float] = ISNET_MEAN,
                       std: Sequence[float] = ISNET_STD,
                       names: Optional[Sequence[str]] = None,
                       workers: int = 1, threads: int = 0,
                       progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<stem>.png``, the salient-object map of each image
    of ``image_dir`` (module docstring: the recipe).

    Args:
        model_path: the ONNX model (IS-Net, U²-Net or alike).
        image_dir: the images (``.jpg``, ``.jpeg``, ``.png``).
        out_dir: where the maps go (created); maps already there are
            skipped.
        size: ``(H, W)`` of the model's input (IS-Net: 1024 x 1024,
            U²-Net: 320 x 320).
        mean, std: per RGB channel, applied to ``x / 255`` (IS-Net: 0.5
            and 1; U²-Net: ImageNet's).
        names: image stems to make maps of (default: every image).
        workers: processes, each with its own onnxruntime session.
        threads: onnxruntime's intra-op threads per session (0: its
            default, every core: with several workers give each
            cores / workers).
        progress: show a progress bar.

    Returns:
        dict: ``written`` and ``skipped`` (maps already there) counts.

    Raises:
        FileNotFoundError: a missing model, image folder or listed image.
        ValueError: naming the file, for a model that is not ONNX or not a
            salient-object model, or for unreadable images (all listed);
            raised before anything is written.
    """
    size = tuple(int(s) for s in size)
    mean = tuple(float(m) for m in mean)
    std = tuple(float(s) for s in std)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f'size must be two positive sides (H, W), got '
                         f'{size}')
    if len(mean) != 3 or len(std) != 3:
        raise ValueError('mean and std need one value per RGB channel')
    if not all(s > 0 for s in std):
        raise ValueError(f'std must be positive, got {std}')
    if workers < 1 or threads < 0:
        raise ValueError(f'workers must be >= 1 and threads >= 0, got '
                         f'{workers} and {threads}')
    jobs = image_paths(image_dir, names)
    session = open_session(model_path, threads)
    check_session(session, model_path, size)
    todo = [(stem, path) for stem, path in jobs
            if not osp.isfile(osp.join(out_dir, stem + '.png'))]
    counts = {'written': 0, 'skipped': len(jobs) - len(todo)}
    pool_size = min(workers, len(todo))
    if pool_size > 1:
        # each worker opens its own session; this one goes first, so that
        # no onnxruntime thread pool is forked
        session = None
    if not todo:
        return counts
    check_images([path for _, path in todo], workers=workers,
                 progress=progress)
    opts = dict(model_path=model_path, out_dir=out_dir, size=size,
                mean=mean, std=std, threads=threads)
    from tqdm import tqdm
    taken = locking.acquire(out_dir)  # one run per folder of maps
    try:
        with tqdm(total=len(todo), unit='image', disable=not progress,
                  desc='saliency maps') as bar:
            if pool_size > 1:
                context = get_context(
                    'fork' if 'fork' in get_all_start_methods() else None)
                with context.Pool(pool_size, initializer=_init_worker,
                                  initargs=(opts, )) as pool:
                    for _ in pool.imap_unordered(_map_job, todo):
                        counts['written'] += 1
                        bar.update()
            else:
                _WORKER.update(opts, session=session)
                try:
                    for job in todo:
                        _map_job(job)
                        counts['written'] += 1
                        bar.update()
                finally:
                    _WORKER.clear()
    finally:
        if taken:
            locking.release(out_dir)
    return counts


__all__ = ['make_saliency_maps', 'open_session', 'check_session',
           'preprocess', 'output_map', 'grey_map', 'saliency_of',
           'image_paths', 'ISNET_SIZE', 'ISNET_MEAN', 'ISNET_STD']
