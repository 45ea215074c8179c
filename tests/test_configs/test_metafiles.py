"""Every config folder has a README and an mmseg-schema metafile; every
metafile entry names a config that exists, builds, and whose name, batch
size and iterations agree with the config."""
import glob
import os.path as osp
import re

import pytest
import torch
import yaml
from mmengine.config import Config

from conftest import REPO
from seenet_mm.cli import CONFIG_ALIASES
from seenet_mm.utils import register_all_modules

register_all_modules()

CONFIGS = osp.join(REPO, 'configs')
FOLDERS = sorted(d for d in glob.glob(osp.join(CONFIGS, '*'))
                 if osp.isdir(d) and osp.basename(d) != '_base_')
# {algorithm}_{backbone}_{N}xb{B}-{schedule}_{dataset}-{crop}[_{variant}]*
NAME = re.compile(r'^(?P<alg>[a-z0-9]+(?:-[a-z0-9]+)*)'
                  r'_(?P<backbone>[a-z0-9]+(?:-[a-z0-9]+)*)'
                  r'_(?P<gpus>\d+)xb(?P<batch>\d+)-(?P<sched>\d+k?|\d+e)'
                  r'_(?P<data>[a-z0-9]+)-(?P<crop>\d+x\d+)'
                  r'(?P<variants>(?:_[a-z0-9]+)*)$')
ALIAS_FILES = {f'configs/{old}' for old in CONFIG_ALIASES}
# the keys of report.json that a toy metafile entry may carry
REPORT_KEYS = {'cls/mAP', 'seed mIoU (best threshold)', 'proxy-label mIoU',
               'proxy-label mIoU (255 as background)', 'refined-label mIoU',
               'segmentation val mIoU', 'segmentation val mIoU --tta',
               'segmentation val mIoU --crf',
               'segmentation val mIoU (full supervision)',
               'segmentation val mIoU / full supervision'}


def metafile(folder):
    with open(osp.join(folder, 'metafile.yaml')) as f:
        return yaml.safe_load(f)


def entries():
    for folder in FOLDERS:
        for model in metafile(folder)['Models']:
            yield pytest.param(folder, model, id=model['Name'])


@pytest.mark.parametrize('folder', FOLDERS, ids=osp.basename)
def test_folder_has_readme_and_metafile_naming_each_config(folder):
    assert osp.isfile(osp.join(folder, 'README.md')), folder
    meta = metafile(folder)
    collections = {c['Name'] for c in meta['Collections']}
    for c in meta['Collections']:
        assert c['Paper']['Title'] and c['Paper']['URL'].startswith('http')
        assert osp.isfile(osp.join(REPO, c['README'])), c['README']
    named = {m['Config'] for m in meta['Models']}
    on_disk = {osp.relpath(p, REPO).replace(osp.sep, '/')
               for p in glob.glob(osp.join(folder, '*.py'))} - ALIAS_FILES
    assert named == on_disk
    assert {m['In Collection'] for m in meta['Models']} <= collections
    readme = open(osp.join(folder, 'README.md')).read()
    for m in meta['Models']:
        assert m['Name'] in readme, (m['Name'], 'missing from README')


@pytest.mark.parametrize('folder,model', list(entries()))
def test_entry_agrees_with_its_config_and_builds(folder, model):
    from mmseg.registry import MODELS
    path = osp.join(REPO, model['Config'])
    stem = osp.splitext(osp.basename(path))[0]
    assert model['Name'] == stem
    match = NAME.match(stem)
    assert match, f'{stem} does not follow the naming convention'
    cfg = Config.fromfile(path)
    meta = model['Metadata']
    assert meta['Training Data'] and meta['Architecture']
    assert meta['Batch Size'] == cfg.train_dataloader.batch_size \
        == int(match['batch'])
    assert meta['Iterations'] == cfg.train_cfg.max_iters
    sched = match['sched']
    if sched.endswith('k'):
        assert meta['Iterations'] == int(sched[:-1]) * 1000
    elif not sched.endswith('e'):
        assert meta['Iterations'] == int(sched)
    results = model['Results']
    assert results['Task'] and results['Dataset']
    assert isinstance(results['Metrics'], dict)
    # figures measured here: the toy sets and the real-photo task
    measured = osp.basename(folder) in ('toy', 'camvid')
    for key, value in results['Metrics'].items():
        assert isinstance(value, (int, float)), key
        if measured:
            assert key in REPORT_KEYS, key
        else:
            # no VOC / COCO figure has been produced here: only the paper's
            assert 'paper' in key, key
    if results['Metrics'] and measured:
        # measured figures: means over training seeds, their spread beside
        spread = results['Spread']
        assert spread['Seeds'] >= 3
        assert set(spread['Std']) == set(results['Metrics'])
        assert all(v >= 0 for v in spread['Std'].values())
    built = MODELS.build(cfg.model)
    assert isinstance(built, torch.nn.Module)
    assert sum(p.numel() for p in built.parameters()) > 0


def test_renamed_configs_table_and_hint():
    from seenet_mm.cli import RENAMED_CONFIGS, load_config
    docs = open(osp.join(REPO, 'docs', 'configs.md')).read().splitlines()
    for old, new in {**RENAMED_CONFIGS, **CONFIG_ALIASES}.items():
        assert osp.isfile(osp.join(CONFIGS, new)), new
        assert any(f'configs/{old}' in line and f'configs/{new}' in line
                   for line in docs), (old, 'not mapped in docs/configs.md')
    for old in RENAMED_CONFIGS:
        assert not osp.exists(osp.join(CONFIGS, old)), old
    with pytest.raises(FileNotFoundError,
                       match=r'configs/toy/seenet_vgg16_toy\.py \(renamed: '
                       r'configs/toy/seenet_vgg16-tiny_1xb16-800_toy-'
                       r'112x112\.py'):
        load_config('configs/toy/seenet_vgg16_toy.py', None, None, 'none')
    with pytest.raises(FileNotFoundError) as err:
        load_config('configs/seenet/nonexistent.py', None, None, 'none')
    assert 'renamed' not in str(err.value)


@pytest.mark.parametrize('old', sorted(CONFIG_ALIASES))
def test_alias_is_one_line_loading_its_config(old):
    """An alias file is a comment and one ``_base_`` line, and gives the
    config it names, key for key."""
    new = CONFIG_ALIASES[old]
    path = osp.join(CONFIGS, old)
    lines = [line for line in open(path).read().splitlines()
             if not line.startswith('#')]
    assert lines == [f"_base_ = ['./{osp.basename(new)}']"]
    assert osp.dirname(old) == osp.dirname(new)
    alias = Config.fromfile(path).to_dict()
    target = Config.fromfile(osp.join(CONFIGS, new)).to_dict()
    assert alias == target


def test_readme_expects_the_toy_metafile_figures():
    """The quick start's "about X ± Y" are the toy metafile's means and
    standard deviations for the default main job's two configs, and the
    toy README's results table shows each config's own."""
    from seenet_mm.pipeline.context import PRESETS
    figures = {}
    for model in metafile(osp.join(CONFIGS, 'toy'))['Models']:
        results = model['Results']
        for key, mean in results['Metrics'].items():
            figures[model['Name'], key] = (mean, results['Spread']['Std'][key])
    default = {osp.splitext(osp.basename(c))[0] for c in PRESETS['toy']}
    expected = {k: v for (name, k), v in figures.items() if name in default}
    from seenet_mm.pipeline.expected import EXPECTED_KEYS
    assert set(expected) == set(EXPECTED_KEYS)
    row = re.compile(r'`([^`]+)`[^|]*\| (?:about )?([0-9.]+) ± ([0-9.]+) \|')
    readme = open(osp.join(REPO, 'README.md')).read()
    found = [m for line in readme.splitlines() for m in row.findall(line)]
    assert {k: (float(m), float(sd)) for k, m, sd in found} == expected
    # the toy README: each row under the config named in its first cell
    found, config = {}, None
    for line in open(osp.join(CONFIGS, 'toy', 'README.md')):
        name = re.match(r'^\| \[([^\]]+)\]', line)
        config = name.group(1) if name else (config if line.startswith(
            '| |') else None)
        for key, mean, std in row.findall(line):
            found[config, key] = (float(mean), float(std))
    assert found == figures




def test_configs_md_lists_every_config():
    """docs/configs.md names every config file (``a_{b,c}.py`` stands for
    ``a_b.py`` and ``a_c.py``), and every name it gives exists."""
    text = open(osp.join(REPO, 'docs', 'configs.md')).read()
    named = set()
    for path in re.findall(r'configs/[\w./{},-]+\.py', text):
        parts = re.split(r'\{([^}]*)\}', path)
        names = ['']
        for i, part in enumerate(parts):
            options = part.split(',') if i % 2 else [part]
            names = [n + o for n in names for o in options]
        named.update(names)
    on_disk = {osp.relpath(p, REPO).replace(osp.sep, '/')
               for p in glob.glob(osp.join(CONFIGS, '*', '*.py'))
               if '_base_' not in p}
    assert on_disk - named == set()
    from seenet_mm.cli import RENAMED_CONFIGS
    old = {f'configs/{name}' for name in RENAMED_CONFIGS}
    assert {n for n in named if not n.startswith('configs/_base_')} \
        - on_disk - old == set()
