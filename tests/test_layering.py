"""Imports run one way (the layer list in README.md, "Where things are"),
checked by parsing every module of the package, function-level imports
included."""
import ast
import os
import os.path as osp

import pytest

PKG_DIR = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'seenet_mm')

# prefix -> rank; a module may import its own rank or lower ones
LAYERS = {
    'seenet_mm.version': 0, 'seenet_mm.metainfo': 0, 'seenet_mm.fileio': 0,
    'seenet_mm.crf': 0, 'seenet_mm.compat': 0, 'seenet_mm.locking': 0,
    'seenet_mm.images': 0, 'seenet_mm.standin': 0,
    'seenet_mm.attention_codec': 0, 'seenet_mm.random_walk': 0,
    'seenet_mm.utils.version_check': 0,
    'seenet_mm.models': 1, 'seenet_mm.datasets': 1,
    'seenet_mm.evaluation': 2, 'seenet_mm.engine': 2,
    'seenet_mm.visualization': 2,
    'seenet_mm.apis': 3, 'seenet_mm.pipeline': 3, 'seenet_mm.cli': 3,
}
# data generation only: imports the bottom layer, imported only by the
# functions that make the toy set and the toy stand-in (seenet_mm.apis.toy)
TOY = 'seenet_mm.toy'
TOY_USERS = {'seenet_mm.apis'}
# entry points that import everything on purpose
EXEMPT = {'seenet_mm', 'seenet_mm.utils', 'seenet_mm.utils.setup_env'}
SIBLINGS = {('seenet_mm.models', 'seenet_mm.datasets'),
            ('seenet_mm.datasets', 'seenet_mm.models')}


def module_name(path: str) -> str:
    rel = osp.relpath(path, osp.dirname(PKG_DIR))[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def imported_names(module: str, source: str, is_package: bool) -> set:
    """Absolute names a module imports (``from a import b`` gives
    ``a.b``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split('.')
                if not is_package:
                    parts = parts[:-1]
                parts = parts[:len(parts) - (node.level - 1)]
                base = '.'.join(parts + ([node.module] if node.module
                                         else []))
            else:
                base = node.module
            names.update(f'{base}.{a.name}' for a in node.names)
    return names


def group(name: str):
    """The layer prefix a name belongs to (longest match), or None."""
    if name == TOY or name.startswith(TOY + '.'):
        return TOY
    best = None
    for prefix in LAYERS:
        if (name == prefix or name.startswith(prefix + '.')) and \
                (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def violations(module: str, names: set) -> list:
    if module in EXEMPT:
        return []
    own = group(module)
    bad = []
    for name in names:
        if name.split('.')[0] == 'tools':
            bad.append(f'{module} imports a tool: {name}')
            continue
        if name != 'seenet_mm' and not name.startswith('seenet_mm.'):
            continue
        target = group(name)
        if target is None:
            bad.append(f'{module} imports the package root: {name}')
        elif target == TOY:
            if own != TOY and own not in TOY_USERS:
                bad.append(f'{module} imports the toy generator: {name}')
        elif own == TOY:
            if LAYERS[target] > 0:
                bad.append(f'{module} (toy) imports {name}')
        elif LAYERS[target] > LAYERS[own]:
            bad.append(f'{module} (rank {LAYERS[own]}) imports {name} '
                       f'(rank {LAYERS[target]})')
        elif (own, target) in SIBLINGS:
            bad.append(f'{module} imports its sibling: {name}')
    return bad


def package_modules():
    for root, _, files in os.walk(PKG_DIR):
        if '.mim' in root.split(os.sep) or '__pycache__' in root:
            continue
        for f in sorted(files):
            if f.endswith('.py'):
                path = osp.join(root, f)
                with open(path) as fh:
                    yield module_name(path), fh.read(), f == '__init__.py'


def test_every_module_belongs_to_a_layer():
    unknown = [m for m, _, _ in package_modules()
               if m not in EXEMPT and group(m) is None]
    assert not unknown, f'modules outside the layer table: {unknown}'


def test_imports_run_one_way():
    bad = []
    for module, source, is_pkg in package_modules():
        bad += violations(module, imported_names(module, source, is_pkg))
    assert not bad, '\n'.join(bad)


def test_the_check_sees_relative_and_nested_imports():
    names = imported_names(
        'seenet_mm.models.segmentors.crf_model',
        'def f():\n    from ...apis.attention import x\n'
        'from .. import datasets\nimport seenet_mm.toy.generator\n', False)
    assert names == {'seenet_mm.apis.attention.x', 'seenet_mm.models.datasets',
                     'seenet_mm.toy.generator'}
    bad = violations('seenet_mm.models.segmentors.crf_model',
                     {'seenet_mm.apis.attention.x', 'seenet_mm.toy.voc',
                      'seenet_mm.datasets.label_rules', 'tools.pipeline'})
    assert len(bad) == 4
    assert violations('seenet_mm.fileio', {'seenet_mm.models.x'})
    assert violations('seenet_mm.toy.generator', {'seenet_mm.fileio.x'}) \
        == []
    assert violations('seenet_mm.apis.toy', {'seenet_mm.toy.x'}) \
        == []
    assert violations('seenet_mm.pipeline.stages', {'seenet_mm.toy.x'})
    # package __init__ files resolve ``from .x`` inside the package
    assert imported_names('seenet_mm.engine', 'from .hooks import A', True) \
        == {'seenet_mm.engine.hooks.A'}
