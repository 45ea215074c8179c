"""How the config files include each other, read from their ``_base_``
lines alone (``ast``; nothing is built):

- a config is at most three levels deep: the config itself is level 1, and
  each config of configs/ it inherits (not counting configs/_base_/ files
  nor mmseg's ``mmseg::`` files), along the longest chain, one more level.
  The one-line aliases of ``seenet_mm.cli.CONFIG_ALIASES`` are exempt: an
  alias is a name for its config, not a level (no other config may
  inherit one);
- configs/_base_/ files include each other at most four deep;
- no config inherits a config of another algorithm, and the IRN and PSA
  configs (configs/irn, configs/psa, configs/toy/irn_*, configs/toy/psa_*)
  include no file of another algorithm at all, configs/_base_/ files
  included: each algorithm has its own model and schedule files there.

A file's algorithm is the first part of its name (``_`` and ``-`` alike:
``irn_3e.py`` is IRN's, ``deeplab_largefov_6k.py`` LargeFOV's) or, for the
alias files, its folder; other files (datasets, ``default_runtime.py``,
``iter_based.py``, ``affinity_net.py``) belong to no algorithm.
"""
import ast
import glob
import os.path as osp
import re
from functools import lru_cache

import pytest

from seenet_mm.cli import CONFIG_ALIASES

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))), 'configs')
BASE = osp.join(CONFIGS, '_base_')
MAX_DEPTH = 3
MAX_BASE_DEPTH = 4
ALGORITHMS = ('seenet', 'deeplab-largefov', 'deeplabv3plus', 'irn', 'psa',
              'cam')
FOLDER_ALGORITHMS = {'seenet': 'seenet', 'deeplab_largefov':
                     'deeplab-largefov', 'deeplabv3plus': 'deeplabv3plus',
                     'irn': 'irn', 'psa': 'psa'}
ALIASES = {osp.join(CONFIGS, name) for name in CONFIG_ALIASES}


def _rel(path):
    return osp.relpath(path, CONFIGS).replace(osp.sep, '/')


def _is_base(path):
    return path.startswith(BASE + osp.sep)


@lru_cache(maxsize=None)
def bases(path):
    """The files of ``path``'s ``_base_`` line, as absolute paths (mmseg's
    ``mmseg::`` files left out)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_'
                for t in node.targets):
            value = ast.literal_eval(node.value)
            names = [value] if isinstance(value, str) else list(value)
            return tuple(osp.normpath(osp.join(osp.dirname(path), name))
                         for name in names if '::' not in name)
    return ()


@lru_cache(maxsize=None)
def depth(path):
    """Levels of ``path``: configs/_base_/ files count 0."""
    if _is_base(path):
        return 0
    return 1 + max((depth(b) for b in bases(path)), default=0)


@lru_cache(maxsize=None)
def base_depth(path):
    """How deep a configs/_base_/ file includes other _base_ files."""
    return 1 + max((base_depth(b) for b in bases(path)), default=0)


def closure(path):
    """Every file ``path`` includes, directly or through other files."""
    seen, todo = set(), list(bases(path))
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(bases(name))
    return seen


def algorithm(path):
    folder = osp.basename(osp.dirname(path))
    if not _is_base(path) and folder in FOLDER_ALGORITHMS:
        return FOLDER_ALGORITHMS[folder]
    name = osp.basename(path).replace('_', '-')
    for algo in ALGORITHMS:
        if re.match(re.escape(algo) + r'[-.]', name):
            return algo
    return None


CONFIG_FILES = sorted(p for p in glob.glob(osp.join(CONFIGS, '**', '*.py'),
                                           recursive=True)
                      if not _is_base(p))
BASE_FILES = sorted(glob.glob(osp.join(BASE, '**', '*.py'), recursive=True))
AFFINITY_CONFIGS = [p for p in CONFIG_FILES
                    if algorithm(p) in ('irn', 'psa')]


def test_every_base_file_exists():
    for path in CONFIG_FILES + BASE_FILES:
        for name in bases(path):
            assert osp.isfile(name), (_rel(path), name)


def test_configs_are_at_most_three_levels_deep():
    too_deep = {_rel(p): depth(p) for p in CONFIG_FILES
                if p not in ALIASES and depth(p) > MAX_DEPTH}
    assert too_deep == {}


def test_aliases_are_names_not_levels():
    """Each alias includes its config alone, and no config includes an
    alias (so the exemption hides no level)."""
    for old, new in CONFIG_ALIASES.items():
        assert bases(osp.join(CONFIGS, old)) == (osp.join(CONFIGS, new), )
    for path in CONFIG_FILES + BASE_FILES:
        assert not ALIASES & set(bases(path)), _rel(path)


def test_base_files_stay_shallow():
    too_deep = {_rel(p): base_depth(p) for p in BASE_FILES
                if base_depth(p) > MAX_BASE_DEPTH}
    assert too_deep == {}
    for path in BASE_FILES:  # a _base_ file includes only _base_ files
        assert all(_is_base(b) for b in bases(path)), _rel(path)


def test_no_config_inherits_another_algorithms_config():
    wrong = {}
    for path in CONFIG_FILES:
        for other in closure(path):
            if (not _is_base(other) and algorithm(other)
                    and algorithm(other) != algorithm(path)):
                wrong.setdefault(_rel(path), []).append(_rel(other))
    assert wrong == {}


def test_affinity_configs_are_found():
    names = {_rel(p) for p in AFFINITY_CONFIGS}
    assert {'irn/irn_r50_1xb32-3e_voc12aug-512x512.py',
            'psa/psa_vgg16_1xb8-8e_voc12aug-448x448.py',
            'toy/irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py',
            'toy/psa_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py'} <= names


@pytest.mark.parametrize('path', AFFINITY_CONFIGS, ids=_rel)
def test_irn_and_psa_include_no_file_of_another_algorithm(path):
    own = algorithm(path)
    others = sorted(_rel(p) for p in closure(path)
                    if algorithm(p) not in (None, own))
    assert others == []
