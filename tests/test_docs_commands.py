"""Every command of this project that a docs page gives in a ```bash block
names a tool that exists, flags that tool has, configs that exist and
build, ``--cfg-options`` keys those configs hold, and environment variables
the shell script reads."""
import contextlib
import glob
import io
import os.path as osp
import re
import runpy
import shlex
import sys

import pytest
from mmengine.config import Config

from conftest import REPO
from seenet_mm.cli import check_cfg_options
from seenet_mm.utils import register_all_modules

register_all_modules()

PAGES = sorted(glob.glob(osp.join(REPO, 'docs', '*.md')) +
               glob.glob(osp.join(REPO, 'configs', '*', 'README.md')) +
               [osp.join(REPO, 'README.md')])
PYTHONS = ('python', 'python3', '.venv/bin/python', '$PYTHON', '"$PYTHON"')
# the Python tool behind each launch script
SCRIPT_TOOLS = {'tools/dist_train.sh': 'tools/train.py',
                'tools/dist_test.sh': 'tools/test.py',
                'tools/slurm_train.sh': 'tools/train.py',
                'tools/slurm_test.sh': 'tools/test.py',
                'tools/dist_infer_attention.sh': 'tools/infer_attention.py'}
ASSIGNMENT = re.compile(r'^[A-Z_][A-Z0-9_]*=')
# variables read by the runtime (CUDA, OpenMP, Python) or by the package,
# not by a script
ANY_COMMAND_ENV = {'CUDA_VISIBLE_DEVICES', 'OMP_NUM_THREADS', 'PYTHONPATH',
                   'SEENET_DEBUG', 'SEENET_STANDIN_DIR'}


def commands(page):
    """``(line number, tokens)`` of each command of a bash block that runs
    one of ``tools/``, leading ``VAR=value`` assignments kept."""
    found, block, start = [], None, 0
    lines = open(page).read().splitlines()
    for number, line in enumerate(lines, 1):
        fence = line.strip()
        if fence.startswith('```'):
            block = [] if block is None and fence[3:] in ('bash', 'sh') \
                else None
            continue
        if block is None:
            continue
        if not block or not block[-1].endswith('\\'):
            start = number
            block.append(line)
        else:
            block[-1] = block[-1][:-1] + ' ' + line.strip()
            if line.rstrip().endswith('\\'):
                continue
        text = block[-1]
        if text.endswith('\\') or text.lstrip().startswith('#'):
            continue
        for part in re.split(r'\s*(?:&&|;|\|\|)\s*', text.split(' #')[0]):
            try:
                tokens = shlex.split(part)
            except ValueError:
                tokens = part.split()
            # a synopsis' brackets and alternatives: [--amp | --no-amp]
            tokens = [t.strip('[]') for t in tokens]
            tokens = [t for t in tokens if t not in ('', '|', '...')]
            rest = tokens
            while rest and ASSIGNMENT.match(rest[0]):
                rest = rest[1:]
            if len(rest) > 1 and rest[1].startswith('tools/') and (
                    rest[0] in PYTHONS or rest[0] in ('bash', 'sh')):
                found.append((start, tokens))
    return found


CASES = [pytest.param(page, line, tokens,
                      id=f'{osp.relpath(page, REPO)}:{line}')
         for page in PAGES for line, tokens in commands(page)]

_help = {}
_configs = {}


def tool_flags(tool):
    """The option strings in ``python TOOL --help``."""
    if tool not in _help:
        out = io.StringIO()
        argv = sys.argv
        sys.argv = [tool, '--help']
        try:
            with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
                runpy.run_path(osp.join(REPO, tool), run_name='__main__')
        finally:
            sys.argv = argv
        _help[tool] = set(re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)',
                                     out.getvalue()))
    return _help[tool]


def load(config):
    if config not in _configs:
        from mmseg.registry import MODELS
        cfg = Config.fromfile(osp.join(REPO, config))
        MODELS.build(cfg.model)  # builds
        _configs[config] = cfg
    return _configs[config]


def test_pages_give_commands():
    pages = {osp.basename(p) for p, _, _ in
             [c.values for c in CASES]}
    assert {'reproduce_voc.md', 'distributed.md'} <= pages


@pytest.mark.parametrize('page,line,tokens', CASES)
def test_docs_command_exists(page, line, tokens):
    env = []
    while ASSIGNMENT.match(tokens[0]):
        env.append(tokens[0].split('=')[0])
        tokens = tokens[1:]
    script = tokens[1]
    assert osp.isfile(osp.join(REPO, script)), script
    env = [name for name in env if name not in ANY_COMMAND_ENV]
    if script.endswith('.sh'):
        text = open(osp.join(REPO, script)).read()
        for name in env:
            assert re.search(r'\$\{?' + name + r'\b', text), \
                f'{script} does not read {name}'
        if script not in SCRIPT_TOOLS:
            return  # install and check scripts: no Python tool behind
        tool = SCRIPT_TOOLS[script]
    else:
        assert not env, f'{script} reads no {env}'
        tool = script
    flags = tool_flags(tool)
    args = tokens[2:]
    configs = [a for a in args if a.startswith('configs/')
               and a.endswith('.py')]
    for config in configs:
        assert osp.isfile(osp.join(REPO, config)), config
        load(config)
    options, in_options = {}, False
    for arg in args:
        if arg.startswith('-'):
            in_options = arg == '--cfg-options'
            assert arg.split('=')[0] in flags, \
                f'{tool} has no option {arg.split("=")[0]}'
        elif in_options:
            key, sep, value = arg.partition('=')
            assert sep, f'--cfg-options {arg} is not KEY=VALUE'
            options[key] = value
    if options and configs:  # (CONFIG in a synopsis: nothing to check)
        check_cfg_options(load(configs[0]), options)
