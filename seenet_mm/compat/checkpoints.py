"""Checkpoints on torch >= 2.6: loaded with ``weights_only=True``.

============================  =================================================
problem upstream              answer here
============================  =================================================
torch>=2.6 loads with           :func:`load_local_checkpoint` (registered as
``weights_only=True``; an       mmengine's loader of local files) loads with
mmengine checkpoint holds       ``weights_only=True`` and an allow-list that
``HistoryBuffer`` objects and   is empty (:data:`SAFE_GLOBALS`); a file that
numpy values, so ``--resume``,  needs more is refused with one
``load_from``, ``test.py`` and  :class:`UntrustedCheckpointError` naming the
``init_model`` fail             global and the opt-in
(unpickling them in full would  :func:`to_plain` / :func:`from_plain`: our
run any code in the file)       checkpoints hold plain types only (written by
                                ``PlainCheckpointHook``, read back into
                                ``HistoryBuffer``/numpy by the loader)
an older checkpoint the user    the opt-in: the environment variable
trusts                          ``SEENET_TRUSTED_CHECKPOINTS`` lists files
                                or URLs loaded with ``weights_only=False``
                                (:func:`trust_checkpoint`; the tools'
                                ``--trust-checkpoint``)
every download:                 :func:`load_url_weights_only` replaces the one
``http(s)://``,                 function they all reach, mmengine's ``load_url``
``torchvision://``,             (torch.hub's ``load_state_dict_from_url``, whose
``open-mmlab://``,              ``weights_only`` defaults to False): it downloads
``mmcls://`` (full              into torch's hub cache as before, then loads by
unpickling)                     the same rule and opt-in as a local file, naming
                                the URL
============================  =================================================
"""
from __future__ import annotations

import contextlib
import os
import os.path as osp
import pickle
import re
import shlex
import urllib.error
from collections import Counter, OrderedDict
from typing import Any, Iterator, List, Optional, Tuple
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: environment variable: ``os.pathsep``-separated checkpoint files or URLs
#: that are trusted, i.e. loaded with full unpickling (``weights_only=False``)
TRUST_ENV = 'SEENET_TRUSTED_CHECKPOINTS'

#: Globals allowed beyond torch's own weights-only set (tensors, storages,
#: dtypes, ``torch.Size``, ``OrderedDict``, ``Counter``, ``set``, ...).
#: Empty: everything our tools write is a plain type (``PlainCheckpointHook``
#: converts the message hub's ``HistoryBuffer`` objects and numpy values,
#: ``RNGStateHook`` writes its states as tensors and ints). Never add
#: ``builtins.getattr``: with it a pickle reaches any attribute of any
#: allowed object (e.g. a function's ``__globals__``, hence ``os.system``),
#: which makes every allow-list escapable.
SAFE_GLOBALS: Tuple[Any, ...] = ()

# key that marks a converted value in a plain checkpoint
PLAIN_TAG = '__seenet_plain__'
_PY_LEAVES = (str, bytes, bytearray, int, float, bool, complex, type(None))
_TORCH_LEAVES = (torch.Tensor, torch.Size, torch.dtype, torch.device)
# numpy kinds that convert: bool, ints, unsigned, floats, complex, strings
_ARRAY_KINDS = 'biufcUS'


class UntrustedCheckpointError(ValueError):
    """A checkpoint that only full unpickling could load, not trusted.

    Attributes:
        filename: the checkpoint.
        globals: the offending globals, the one torch stopped at first.
    """

    def __init__(self, filename: str, globals_: List[str]) -> None:
        self.filename = filename
        self.globals = list(globals_)
        real = canonical_name(filename)
        if globals_:
            what = f'it holds {globals_[0]}'
            if len(globals_) > 1:
                what += f' (and {", ".join(globals_[1:])})'
        else:
            what = 'it holds objects outside torch\'s weights-only types'
        super().__init__(
            f'checkpoint {filename} is refused: {what}, which only full '
            'unpickling can load, and unpickling runs whatever code the file '
            'names. seenet_mm\'s tools write checkpoints in plain types; '
            'older seenet_mm versions and plain mmengine/mmseg did not. Only '
            'if you trust this file, allow it explicitly: '
            f'{TRUST_ENV}={shlex.quote(real)} (an os.pathsep-separated list '
            'of files and URLs), or --trust-checkpoint of seenet_mm\'s '
            'tools.')


# --------------------------------------------------------------------------
# the opt-in
# --------------------------------------------------------------------------
_URL = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')
# one entry of SEENET_TRUSTED_CHECKPOINTS where os.pathsep is ':', which
# also occurs inside a URL (after its scheme and before its port)
_POSIX_ENTRY = re.compile(
    r'[A-Za-z][A-Za-z0-9+.-]*://[^/:]*(?::\d+)?[^:]*|[^:]+')


def is_url(name: str) -> bool:
    """Whether ``name`` has a scheme (``https://``, ``open-mmlab://``...)."""
    return bool(_URL.match(name))


def canonical_name(name: str) -> str:
    """A URL as it is; a file as its real path."""
    return name if is_url(name) else osp.realpath(osp.expanduser(name))


def _entries(value: str) -> List[str]:
    if os.pathsep == ':':
        found = _POSIX_ENTRY.findall(value)
    else:
        found = value.split(os.pathsep)
    return [p.strip() for p in found if p.strip()]


def trusted_checkpoints() -> List[str]:
    """The URLs and real paths listed in ``SEENET_TRUSTED_CHECKPOINTS``."""
    return [canonical_name(p)
            for p in _entries(os.environ.get(TRUST_ENV, ''))]


def is_trusted(filename: str) -> bool:
    """Whether ``filename`` (a file or a URL) is listed in
    ``SEENET_TRUSTED_CHECKPOINTS``."""
    return canonical_name(filename) in trusted_checkpoints()


def trust_checkpoint(filename: str) -> str:
    """Add ``filename`` (a file or a URL) to ``SEENET_TRUSTED_CHECKPOINTS``
    of this process (and the processes it starts); returns its real path
    (a URL as it is)."""
    real = canonical_name(filename)
    if real not in trusted_checkpoints():
        value = os.environ.get(TRUST_ENV, '')
        os.environ[TRUST_ENV] = os.pathsep.join(_entries(value) + [real])
    return real


# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------
@contextlib.contextmanager
def _allowed_globals() -> Iterator[None]:
    if SAFE_GLOBALS:
        with torch.serialization.safe_globals(list(SAFE_GLOBALS)):
            yield
    else:  # nothing to allow: works on any torch with weights_only
        yield


def _offending_globals(filename: str, err: Exception) -> List[str]:
    """The global torch stopped at first, then any others in the file."""
    found = re.findall(r'GLOBAL\s+([A-Za-z_][\w.]*)', str(err))[:1]
    get_unsafe = getattr(torch.serialization,
                         'get_unsafe_globals_in_checkpoint', None)
    if get_unsafe is not None:
        try:  # reads the pickle's opcodes; runs nothing
            for name in get_unsafe(filename):
                if name not in found:
                    found.append(name)
        except Exception:  # e.g. a legacy (non-zip) file
            pass
    return found


def load_from_local_weights_only(filename: str,
                                 map_location: Optional[Any] = None,
                                 source: Optional[str] = None) -> Any:
    """Load a local checkpoint with ``weights_only=True``.

    (mmengine logs a loader's name after ``load_from_``: "Loads checkpoint
    by local_weights_only backend". Also :func:`load_local_checkpoint`.)

    Values converted by :func:`to_plain` are turned back into their
    objects (``HistoryBuffer``, numpy arrays and scalars). A file listed in
    ``SEENET_TRUSTED_CHECKPOINTS`` is loaded with ``weights_only=False``.
    ``source``: the URL the file was downloaded from; errors name it, and
    listing it trusts the file.

    Raises:
        FileNotFoundError: no such file.
        UntrustedCheckpointError: the file needs full unpickling and is not
            trusted.
        ValueError: the file is not a readable checkpoint.
    """
    filename = osp.expanduser(filename)
    name = source or filename
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    if is_trusted(filename) or (source is not None and is_trusted(source)):
        checkpoint = torch.load(filename, map_location=map_location,
                                weights_only=False)
    else:
        try:
            with _allowed_globals():
                checkpoint = torch.load(filename, map_location=map_location,
                                        weights_only=True)
        except pickle.UnpicklingError as err:
            if 'weights only load failed' not in str(err).lower():
                raise ValueError(f'{name} is not a readable checkpoint: '
                                 f'{err}') from None
            raise UntrustedCheckpointError(
                name, _offending_globals(filename, err)) from None
    return from_plain(checkpoint)


load_local_checkpoint = load_from_local_weights_only


def load_url_weights_only(url: str, model_dir: Optional[str] = None,
                          map_location: Optional[Any] = None,
                          progress: bool = True, check_hash: bool = False,
                          file_name: Optional[str] = None,
                          weights_only: Optional[bool] = None) -> Any:
    """Download ``url`` into torch's hub cache (as
    ``torch.hub.load_state_dict_from_url`` does; an existing file is
    reused), then load it by the rule of :func:`load_local_checkpoint`:
    ``weights_only=True`` unless the URL or the cached file is listed in
    ``SEENET_TRUSTED_CHECKPOINTS``. The arguments are torch.hub's;
    ``weights_only`` is accepted and ignored, since the rule decides.

    Raises:
        UntrustedCheckpointError: the file needs full unpickling and the
            URL is not trusted (the message names the URL).
        FileNotFoundError: the download failed.
    """
    from torch.hub import HASH_REGEX, download_url_to_file, get_dir
    del weights_only
    model_dir = model_dir or osp.join(get_dir(), 'checkpoints')
    name = file_name or osp.basename(urlparse(url).path) or 'checkpoint.pth'
    cached = osp.join(model_dir, name)
    if not osp.isfile(cached):
        os.makedirs(model_dir, exist_ok=True)
        match = HASH_REGEX.search(name) if check_hash else None
        try:  # writes a temporary file and renames it when complete
            download_url_to_file(url, cached, match.group(1) if match
                                 else None, progress=progress)
        except (urllib.error.URLError, OSError, RuntimeError) as err:
            raise FileNotFoundError(
                f'checkpoint {url} could not be downloaded: {err}') from None
    return load_from_local_weights_only(cached, map_location, source=url)


def register_safe_checkpoint_loader() -> bool:
    """Make mmengine load every checkpoint by the weights-only rule.

    - Local paths (prefix ``''``): mmengine's loader is replaced by
      :func:`load_local_checkpoint`.
    - Downloads: ``http://``, ``https://``, ``torchvision://``,
      ``modelzoo://``, ``open-mmlab://``, ``openmmlab://`` and ``mmcls://``
      all end in mmengine's ``load_from_http``, which calls the ``load_url``
      of ``mmengine.runner.checkpoint`` (torch.hub's, full unpickling). That
      one function is replaced by :func:`load_url_weights_only`, also where
      ``mmengine.utils.dl_utils`` exports it.
    - ``pavi://``, ``s3://``, ``petrel://`` and a local ``open-mmlab://``
      file call ``torch.load`` without ``weights_only``, whose default is
      True on torch >= 2.6.

    They serve ``--resume``, ``load_from``,
    ``init_cfg=dict(type='Pretrained')``, ``mmengine.runner.load_checkpoint``
    and mmseg's ``init_model`` and ``test.py`` (which import seenet_mm
    through the configs' ``custom_imports``).

    Returns:
        bool: True (registered).
    """
    import mmengine.runner.checkpoint as mm_checkpoint
    import mmengine.utils.dl_utils as dl_utils
    import mmengine.utils.dl_utils.hub as hub
    from mmengine.runner import CheckpointLoader
    if CheckpointLoader._schemes.get('') is not load_local_checkpoint:
        CheckpointLoader.register_scheme(
            prefixes='', loader=load_local_checkpoint, force=True)
    for module in (mm_checkpoint, dl_utils, hub):
        module.load_url = load_url_weights_only
    return True


# --------------------------------------------------------------------------
# plain types
# --------------------------------------------------------------------------
def to_plain(obj: Any, unknown: Optional[List[Tuple[str, type]]] = None,
             path: str = 'checkpoint') -> Any:
    """A copy of ``obj`` that ``torch.load(weights_only=True)`` can read.

    ``HistoryBuffer`` objects, numpy arrays and numpy scalars become tagged
    dicts of tensors and Python numbers (exact: same dtype, same values);
    dicts, ``OrderedDict``, ``Counter``, lists, tuples and sets are copied
    with their contents converted, other mappings become dicts and other
    sequences (named tuples) tuples. Tensors and Python scalars are kept
    (not copied). Anything else is kept as it is and, when ``unknown`` is
    given, its ``(path, type)`` is appended there.
    """
    if isinstance(obj, HistoryBuffer):
        return {PLAIN_TAG: 'HistoryBuffer', 'max_length': int(obj.max_length),
                'log': to_plain(np.asarray(obj._log_history), unknown, path),
                'count': to_plain(np.asarray(obj._count_history), unknown,
                                  path)}
    # numpy first: np.float64 and np.str_ are also float and str
    if isinstance(obj, np.ndarray) and obj.dtype.kind in _ARRAY_KINDS:
        return _array_to_plain(obj)
    if isinstance(obj, np.generic) and obj.dtype.kind in _ARRAY_KINDS:
        return {PLAIN_TAG: 'numpy_scalar', 'dtype': obj.dtype.str,
                'value': obj.item()}
    if type(obj) in _PY_LEAVES or isinstance(obj, _TORCH_LEAVES):
        return obj
    if isinstance(obj, dict):
        kind = type(obj) if type(obj) in (dict, OrderedDict, Counter) \
            else dict
        out = kind()
        for key, value in obj.items():
            if isinstance(key, np.generic):
                key = key.item()
            out[key] = to_plain(value, unknown, f'{path}.{key}')
        metadata = getattr(obj, '_metadata', None)  # a module's state_dict
        if metadata is not None:
            out._metadata = to_plain(metadata, unknown, f'{path}._metadata')
        return out
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [to_plain(v, unknown, f'{path}[{i}]')
                 for i, v in enumerate(obj)]
        if isinstance(obj, list):
            return items
        if isinstance(obj, tuple):
            return tuple(items)
        return {PLAIN_TAG: 'set', 'items': items,
                'frozen': isinstance(obj, frozenset)}
    if unknown is not None:
        unknown.append((path, type(obj)))
    return obj


def _array_to_plain(arr: np.ndarray) -> dict:
    data: Any
    if arr.dtype.kind in 'US':
        data = arr.ravel().tolist()
    else:
        native = arr.astype(arr.dtype.newbyteorder('='), copy=False)
        try:
            data = torch.from_numpy(np.ascontiguousarray(native)).clone()
        except TypeError:  # a dtype this torch has no tensor type for
            data = arr.ravel().tolist()
    return {PLAIN_TAG: 'ndarray', 'dtype': arr.dtype.str,
            'shape': list(arr.shape), 'data': data}


def _dtype(name: Any) -> np.dtype:
    dtype = np.dtype(str(name))
    if dtype.kind not in _ARRAY_KINDS:
        raise ValueError(f'unsupported dtype in a plain checkpoint: {name}')
    return dtype


def _from_tagged(obj: dict) -> Any:
    kind = obj[PLAIN_TAG]
    if kind == 'ndarray':
        data = obj['data']
        if isinstance(data, torch.Tensor):  # map_location may be a GPU
            data = data.cpu().numpy()
        arr = np.array(data, dtype=_dtype(obj['dtype']))
        return arr.reshape([int(n) for n in obj['shape']])
    if kind == 'numpy_scalar':
        return _dtype(obj['dtype']).type(obj['value'])
    if kind == 'HistoryBuffer':
        return HistoryBuffer(from_plain(obj['log']), from_plain(obj['count']),
                             int(obj['max_length']))
    if kind == 'set':
        items = [from_plain(v) for v in obj['items']]
        return frozenset(items) if obj.get('frozen') else set(items)
    raise ValueError(f'unknown value in a plain checkpoint: {kind!r}')


def from_plain(obj: Any) -> Any:
    """Undo :func:`to_plain`. Containers are updated in place (tuples are
    rebuilt when a member changes), so a loaded state dict keeps its type
    and ``_metadata``; builds nothing but numpy values, sets and
    ``HistoryBuffer`` objects, so it is safe on untrusted input."""
    if isinstance(obj, dict):
        if PLAIN_TAG in obj:
            return _from_tagged(obj)
        for key, value in obj.items():
            if isinstance(value, (dict, list, tuple)):
                new = from_plain(value)
                if new is not value:
                    obj[key] = new
        return obj
    if isinstance(obj, list):
        for i, value in enumerate(obj):
            if isinstance(value, (dict, list, tuple)):
                new = from_plain(value)
                if new is not value:
                    obj[i] = new
        return obj
    if isinstance(obj, tuple) and not isinstance(obj, torch.Size):
        items = [from_plain(v) if isinstance(v, (dict, list, tuple)) else v
                 for v in obj]
        if any(a is not b for a, b in zip(items, obj)):
            return tuple(items)
        return obj
    return obj


__all__ = ['TRUST_ENV', 'SAFE_GLOBALS', 'PLAIN_TAG',
           'UntrustedCheckpointError',
           'trusted_checkpoints', 'is_trusted', 'trust_checkpoint',
           'is_url', 'canonical_name',
           'load_from_local_weights_only', 'load_local_checkpoint',
           'load_url_weights_only',
           'register_safe_checkpoint_loader',
           'to_plain', 'from_plain']
