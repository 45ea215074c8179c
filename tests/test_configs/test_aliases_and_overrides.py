"""The first config names still train (alias files), and an override of a
config variable that the file has already used is refused, naming the
fields to set instead."""
import os.path as osp

import pytest
from mmengine.config import Config

from conftest import REPO, tool_main
from seenet_mm.cli import interpolated_fields, load_config
from seenet_mm.utils import register_all_modules

register_all_modules()

ONTHEFLY = osp.join(REPO, 'configs', 'deeplab_largefov',
                    'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321_'
                    'onthefly.py')
MIXING = osp.join(REPO, 'configs', 'deeplabv3plus',
                  'deeplabv3plus_r50-d8_4xb4-20k_voc12aug-512x512_proxy.py')


def test_train_py_builds_the_runner_of_the_first_config_name(
        toy_root, tmp_path, monkeypatch):
    """``tools/train.py configs/seenet/vgg16_voc.py`` on a VOC-layout
    folder: the paper's SeeNet runner is built and its training data
    loads (the training itself is not run: VGG16 weights are absent)."""
    from seenet_mm.apis import training
    built = {}
    real_build = training.build_runner

    class _NoTraining:
        def train(self):
            pass

    def build(cfg):
        built['runner'] = real_build(cfg)
        return _NoTraining()

    monkeypatch.setattr(training, 'build_runner', build)
    monkeypatch.chdir(REPO)
    voc = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    train_main = tool_main(osp.join(REPO, 'tools', 'train.py'))
    train_main(['configs/seenet/vgg16_voc.py', '--work-dir',
                   str(tmp_path), '--cfg-options',
                   f'train_dataloader.dataset.data_root={voc}',
                   f'val_dataloader.dataset.data_root={voc}',
                   'train_dataloader.num_workers=0',
                   'train_dataloader.persistent_workers=False',
                   'train_dataloader.batch_size=2'])
    runner = built['runner']
    assert runner.model.mode == 'seenet'
    assert runner.model.backbone.output_stride == 16
    assert runner.cfg.train_cfg.max_iters == 25000
    loader = runner.build_dataloader(runner._train_dataloader)
    batch = next(iter(loader))
    assert batch['inputs'][0].shape == (3, 224, 224)
    assert batch['data_samples'][0].gt_class_labels.shape == (20, )


@pytest.mark.parametrize('config,key,field', [
    (ONTHEFLY, 'attention_dir',
     'train_dataloader.dataset.pipeline.2.attention_dir'),
    (MIXING, 'proxy_label_dir',
     'train_dataloader.dataset.data_prefix.seg_map_path')])
def test_override_of_a_used_variable_is_refused(config, key, field):
    with pytest.raises(KeyError) as err:
        load_config(config, {key: '/elsewhere'}, None, 'none')
    message = err.value.args[0]
    assert f'--cfg-options {key}=' not in message  # names the key alone
    assert f'--cfg-options {key}:' in message and field in message
    # the field it names is one an override reaches
    cfg = load_config(config, {field: '/elsewhere'}, None, 'none')
    node = cfg
    for part in field.split('.'):
        node = node[int(part)] if part.isdigit() else node[part]
    assert node == '/elsewhere'


def test_tool_prints_the_refusal_as_one_line(tmp_path, monkeypatch, capsys):
    from seenet_mm.apis import training
    monkeypatch.chdir(REPO)
    with pytest.raises(SystemExit) as exit_:
        tool_main(osp.join(REPO, 'tools', 'train.py'))([MIXING, '--work-dir', str(tmp_path), '--cfg-options',
                       'proxy_label_dir=/labels'])
    message = str(exit_.value.code)
    assert message.startswith('error: --cfg-options proxy_label_dir: ')
    assert '\n' not in message
    assert 'train_dataloader.dataset.data_prefix.seg_map_path' in message


def test_interpolated_fields_against_a_written_config(tmp_path):
    """Equal values and strings containing the variable's are found, in
    the keys the runner reads only; runtime keys and unused variables are
    free to override."""
    path = tmp_path / 'cfg.py'
    path.write_text(
        "root = 'data/x'\n"
        "sal = root + '/saliency'\n"
        "max_iters = 40\n"
        "unused = 'nowhere'\n"
        "size = (8, 8)\n"
        "train_dataloader = dict(dataset=dict(data_root=root, pipeline=[\n"
        "    dict(type='A', d=sal), dict(type='B', crop=size)]))\n"
        "train_cfg = dict(max_iters=max_iters)\n"
        "load_from = None\n"
        "work_dir = 'data/x/work'\n")
    cfg = Config.fromfile(str(path))
    assert interpolated_fields(cfg, 'root') == [
        'train_dataloader.dataset.data_root',
        'train_dataloader.dataset.pipeline.0.d', 'work_dir']
    assert interpolated_fields(cfg, 'sal') == [
        'train_dataloader.dataset.pipeline.0.d']
    assert interpolated_fields(cfg, 'max_iters') == ['train_cfg.max_iters']
    assert interpolated_fields(cfg, 'size') == [
        'train_dataloader.dataset.pipeline.1.crop']
    assert interpolated_fields(cfg, 'unused') == []
    assert interpolated_fields(cfg, 'work_dir') == []  # read by the runner
    assert interpolated_fields(cfg, 'missing') == []
    load_config(str(path), {'unused': 'y', 'work_dir': 'w',
                            'train_cfg.max_iters': 5}, None, 'none')
    with pytest.raises(KeyError, match='train_cfg.max_iters'):
        load_config(str(path), {'max_iters': 5}, None, 'none')


def _configs():
    from seenet_mm.cli import CONFIG_ALIASES
    import glob
    aliases = {osp.join(REPO, 'configs', old) for old in CONFIG_ALIASES}
    return sorted(p for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
                  if '_base_' not in p and p not in aliases)


@pytest.mark.parametrize('config', _configs(),
                         ids=lambda p: osp.basename(osp.dirname(p)) + '/' +
                         osp.basename(p))
def test_every_config_without_its_data_is_one_error(config, tmp_path,
                                                    monkeypatch):
    """Training any config where its data is absent stops before the runner
    with the config field, the path and the docs page that makes it."""
    from seenet_mm.apis import training
    monkeypatch.chdir(tmp_path)  # no data/ here
    monkeypatch.setattr(training, 'build_runner', pytest.fail)
    with pytest.raises(FileNotFoundError) as err:
        training.train(config, work_dir=str(tmp_path / 'work'))
    message = str(err.value)
    assert message.startswith('train_dataloader.dataset'), message
    assert 'not found: ' in message
    assert '(how to make it: docs/' in message
    link = message.split('how to make it: ')[1].rstrip(')')
    assert_doc_link(link)


def assert_doc_link(link):
    """``docs/page.md#anchor`` names a page and one of its headings
    (GitHub's anchors: lower case, punctuation dropped, spaces as -)."""
    import re
    page, _, anchor = link.partition('#')
    path = osp.join(REPO, page)
    assert osp.isfile(path), link
    if anchor:
        slugs = {re.sub(r'[^a-z0-9 _-]', '', line.lstrip('#').strip()
                        .lower()).replace(' ', '-')
                 for line in open(path) if line.startswith('#')}
        assert anchor in slugs, (link, sorted(slugs))


def test_missing_split_file_and_label_folder_are_named(tmp_path,
                                                       monkeypatch):
    from seenet_mm.apis import testing, training
    monkeypatch.chdir(REPO)
    voc = tmp_path / 'VOC2012'
    (voc / 'JPEGImages').mkdir(parents=True)
    config = osp.join(REPO, 'configs', 'deeplab_largefov',
                      'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py')
    options = {f'{k}.dataset.data_root': str(voc) for k in
               ('train_dataloader', 'val_dataloader', 'test_dataloader')}
    with pytest.raises(FileNotFoundError,
                       match=r'^train_dataloader\.dataset\.ann_file: file not '
                       r'found: .*VOC2012/ImageSets/Segmentation/trainaug\.txt '
                       r'\(how to make it: docs/reproduce_voc\.md#data\)$'):
        training.train(config, work_dir=str(tmp_path / 'w'),
                       cfg_options=options)
    (voc / 'ImageSets' / 'Segmentation').mkdir(parents=True)
    (voc / 'ImageSets' / 'Segmentation' / 'trainaug.txt').write_text('a\n')
    with pytest.raises(FileNotFoundError,
                       match=r'^train_dataloader\.dataset\.data_prefix\.'
                       r'seg_map_path: folder not found: .*/labels .*'
                       r'tools/make_proxy_labels\.py'):
        training.train(config, work_dir=str(tmp_path / 'w'), cfg_options={
            **options, 'train_dataloader.dataset.data_prefix.seg_map_path':
            str(tmp_path / 'labels')})
    with pytest.raises(FileNotFoundError,
                       match=r'^test_dataloader\.dataset\.ann_file: .*val\.txt'):
        testing.evaluate(config, 'x.pth', work_dir=str(tmp_path / 't'),
                         cfg_options=options)
