"""The main job on a user's own folder: it starts from pretrained weights
it can get or stops before any stage naming the command that makes them,
and the user's config overrides reach every stage that reads the config."""
import json
import os
import os.path as osp

import pytest

from conftest import pipeline_args, pipeline_main
from seenet_mm.datasets.image_folder import detect_layout
from seenet_mm.models.backbones.pretrained import pretrained_paths
from seenet_mm.pipeline.context import (FOLDER_AFFINITY_PRESETS,
                                        FOLDER_PRESETS, mode_config)
from seenet_mm.pipeline.job import check_configs, make_context
from seenet_mm.pipeline.stages import get_stage
from seenet_mm.standin import uses_standin

DONE = dict(attention=dict(checkpoint='/ck/att.pth'),
            affinity=dict(checkpoint='/ck/aff.pth'),
            segmentation=dict(checkpoint='/ck/seg.pth'))



def argvs(steps):
    """The command lines of a stage's steps, as the log shows them."""
    from seenet_mm.pipeline.stages import Call
    return [c.argv() if isinstance(c, Call) else c for c in steps]

def own_folder(root, saliency=False, images=False):
    """An own-format folder: two classes, no saliency maps."""
    (root / 'images').mkdir(parents=True)
    for split, names in (('train', 'ab'), ('val', 'c')):
        (root / f'{split}.json').write_text(json.dumps(dict(
            metainfo=dict(classes=['x', 'y']),
            data_list=[dict(img_path=n + '.jpg', gt_label=[0])
                       for n in names])))
    if saliency:
        (root / 'saliency').mkdir()
    if images:
        import numpy as np
        from PIL import Image
        for name in 'abc':
            Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(
                root / 'images' / f'{name}.jpg')
    return str(root)


def test_own_folder_with_the_voc_preset_stops_before_any_stage(
        tmp_path, monkeypatch):
    """No VGG16 weights: one line naming the file and the command that
    makes it; no stage ran."""
    data = own_folder(tmp_path / 'own')
    monkeypatch.chdir(tmp_path)  # pretrain/ is relative to the run
    work = str(tmp_path / 'work')
    with pytest.raises(SystemExit) as err:
        pipeline_main(['--data-root', data, '--work-dir', work])
    message = str(err.value)
    assert '\n' not in message
    assert message.startswith('error: seenet_vgg16_1xb16-25k_folder-224x224'
                              '.py loads pretrained weights that are not '
                              'here: ' + str(tmp_path / 'pretrain' /
                                             'vgg16_seenet.pth'))
    assert 'python tools/convert_vgg16.py vgg16-397923af.pth ' \
        'pretrain/vgg16_seenet.pth' in message
    assert '--preset toy' in message
    state = osp.join(work, 'pipeline_state.json')
    assert not osp.exists(state) or set(json.load(open(state))) <= {
        'settings'}
    # with the weights in place, the check passes
    (tmp_path / 'pretrain').mkdir()
    (tmp_path / 'pretrain' / 'vgg16_seenet.pth').write_bytes(b'')
    ctx, _ = make_context(pipeline_args(
        ['--data-root', data, '--work-dir', work]))
    check_configs(ctx)


def test_toy_preset_on_an_own_folder_starts_from_the_standin(tmp_path):
    data = own_folder(tmp_path / 'own')
    ctx, preset = make_context(pipeline_args(
        ['--data-root', data, '--preset', 'toy', '--work-dir',
         str(tmp_path / 'work')]))
    assert preset == 'toy' and ctx.layout == 'folder'
    assert (ctx.attention_config, ctx.segmentation_config) == \
        FOLDER_PRESETS['toy']
    assert ctx.affinity_config == FOLDER_AFFINITY_PRESETS['toy']
    for config in (ctx.attention_config, ctx.segmentation_config,
                   ctx.affinity_config):
        assert uses_standin(config), config
    assert get_stage('standin').skip(ctx) is None
    # --compare finds each mode's sibling
    for mode in ('cam', 'acol', 'seenet-noflip'):
        assert uses_standin(mode_config(ctx.attention_config, mode))
    check_configs(ctx)  # the stand-in is made by the job: nothing missing
    scratch, _ = make_context(pipeline_args(
        ['--data-root', data, '--preset', 'toy-scratch', '--work-dir',
         str(tmp_path / 'work2')]))
    assert not uses_standin(scratch.attention_config)


def test_pretrained_paths_reads_every_pretrained_entry():
    model = dict(backbone=dict(init_cfg=dict(type='Pretrained',
                                             checkpoint='a.pth')),
                 decode_head=dict(init_cfg=[
                     dict(type='Normal', std=0.01),
                     dict(type='Pretrained', checkpoint='b.pth'),
                     dict(type='Pretrained', checkpoint='standin://x'),
                     dict(type='Pretrained', checkpoint='a.pth')]),
                 aux=[dict(init_cfg=dict(type='Pretrained',
                                         checkpoint='http://h/c.pth'))])
    assert pretrained_paths(model) == ['a.pth', 'b.pth']


def test_user_overrides_reach_every_stage_of_their_config(tmp_path):
    data = own_folder(tmp_path / 'own')
    args = pipeline_args(
        ['--data-root', data, '--preset', 'toy', '--work-dir',
         str(tmp_path / 'work'),
         '--attention-cfg-options', 'model.loss_weights=[1,1,0.5]',
         '--segmentation-cfg-options', 'train_cfg.max_iters=7',
         '--affinity-cfg-options', 'train_cfg.max_iters=5'])
    ctx, _ = make_context(args)
    check_configs(ctx)
    for stage in ('attention', 'attention_test', 'maps'):
        cmd = argvs(get_stage(stage).commands(ctx, DONE))[0]
        assert 'model.loss_weights=[1,1,0.5]' in cmd, (stage, cmd)
    for stage in ('segmentation', 'segmentation_test'):
        for cmd in argvs(get_stage(stage).commands(ctx, DONE)):
            if cmd[1] != 'tools/eval_seeds.py':  # the scores read no config
                assert 'train_cfg.max_iters=7' in cmd, (stage, cmd)
    affinity = argvs(get_stage('affinity').commands(ctx, DONE))[0]
    assert affinity[-1] == 'train_cfg.max_iters=5'
    refine = argvs(get_stage('refine').commands(ctx, DONE))[0]
    assert refine[-2:] == ['--cfg-options', 'train_cfg.max_iters=5']
    settings = ctx.settings()
    assert settings['segmentation_cfg_options'] == ['train_cfg.max_iters=7']
    # a variable the config already used, or a key it lacks: one line,
    # before any stage
    for flag, option, expected in (
            ('--segmentation-cfg-options', 'proxy_label_dir=x',
             'train_dataloader.dataset.data_prefix.seg_map_path'),
            ('--affinity-cfg-options', 'max_iters=3', 'train_cfg.max_iters'),
            ('--attention-cfg-options', 'modle.mode=cam',
             "the config has no key 'modle'"),
            ('--attention-cfg-options', 'model.mode', 'is not KEY=VALUE')):
        work = str(tmp_path / 'w' / flag)
        with pytest.raises(SystemExit) as err:
            pipeline_main(['--data-root', data, '--preset', 'toy',
                           '--work-dir', work, flag, option])
        assert str(err.value).startswith(f'error: {flag}: ')
        assert expected in str(err.value)
        assert not osp.exists(osp.join(work, 'attention'))


def test_voc_layout_from_the_vocdevkit_folder(tmp_path):
    voc = tmp_path / 'data' / 'VOCdevkit' / 'VOC2012'
    (voc / 'JPEGImages').mkdir(parents=True)
    for root in (tmp_path / 'data', tmp_path / 'data' / 'VOCdevkit', voc):
        assert detect_layout(str(root)) == ('voc', str(voc))
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(ValueError, match='VOCdevkit itself'):
        detect_layout(str(tmp_path / 'empty'))


def test_val_json_is_optional(tmp_path):
    """Without val.json, the stages that score on val are skipped with
    their reason (the main job's trainings run without validation)."""
    data = tmp_path / 'own'
    own_folder(data, images=True)
    os.remove(data / 'val.json')
    ctx, _ = make_context(pipeline_args(
        ['--data-root', str(data), '--preset', 'toy', '--work-dir',
         str(tmp_path / 'work')]))
    assert get_stage('data').check(ctx) is None
    assert get_stage('attention_test').skip(ctx) == \
        'no val.json: cls/mAP not measured'
    assert get_stage('segmentation_test').skip(ctx).startswith(
        'no val.json')
    own_folder(tmp_path / 'own2')
    ctx2, _ = make_context(pipeline_args(
        ['--data-root', str(tmp_path / 'own2'), '--preset', 'toy',
         '--work-dir', str(tmp_path / 'work2')]))
    assert get_stage('attention_test').skip(ctx2) is None


def test_quality_stage_tunes_the_seed_threshold_on_a_fixed_share(tmp_path):
    """The quality stage writes the tuning split (a fixed share of the
    images it scores) and passes it to eval_seeds; the report keys of the
    tuned seeds come from quality.json's ``tuned``."""
    from seenet_mm.pipeline.context import Context
    from seenet_mm.apis.image_list import tune_names
    from seenet_mm.pipeline.stages import tune_split_file
    names = [f'n{i:03d}' for i in range(40)]
    split = tmp_path / 'train.txt'
    split.write_text('\n'.join(names) + '\n')
    work = str(tmp_path / 'work')
    os.makedirs(work)
    ctx = Context(work_dir=work, out_dir=work, data_dir=str(tmp_path),
                  data_root=str(tmp_path),
                  saliency_dir=str(tmp_path / 'sal'),
                  attention_config='a.py', segmentation_config='s.py',
                  quality_split=str(split))
    stage = get_stage('quality')
    stage.prepare(ctx)
    tune = open(tune_split_file(ctx)).read().split()
    assert tune == tune_names(names) and 0 < len(tune) < len(names)
    cmd = argvs(stage.commands(ctx, DONE))[0]
    assert cmd[cmd.index('--tune-split') + 1] == tune_split_file(ctx)
    with open(ctx.path('quality.json'), 'w') as f:
        json.dump(dict(
            seeds=dict(best=dict(mIoU=60.0), best_threshold=0.5,
                       best_at_edge=False, pxap=70.0),
            tuned=dict(threshold=0.45, mIoU=58.0, oracle_mIoU=61.0),
            labels=dict(mIoU=80.0, background_spread=1.0)), f)
    metrics = stage.metrics(ctx)
    assert metrics['seed mIoU (tuned threshold)'] == 58.0
    assert metrics['tuned threshold'] == 0.45
    assert metrics['seed mIoU (best threshold, report split)'] == 61.0
    assert metrics['seed mIoU (best threshold)'] == 60.0
    assert metrics['seed PxAP'] == 70.0
    # too few images for two splits: no tuning split
    split.write_text('n000\n')
    stage.prepare(ctx)
    assert not osp.exists(tune_split_file(ctx))
    assert '--tune-split' not in argvs(stage.commands(ctx, DONE))[0]


@pytest.mark.parametrize('standin,scratch', [
    ('seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112_folder.py',
     'seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py'),
    ('deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96_folder.py',
     'deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py')])
def test_folder_configs_from_the_standin_read_the_folder_as_from_scratch(
        standin, scratch):
    """The own-folder configs from the stand-in define their datasets as
    the from-scratch ones do (the files repeat those lines: a config
    cannot inherit both), and their models and schedules as the stand-in
    configs for the toy set."""
    from mmengine.config import Config
    from seenet_mm.pipeline.context import repo_root
    toy = osp.join(repo_root(), 'configs', 'toy')
    a = Config.fromfile(osp.join(toy, standin))
    b = Config.fromfile(osp.join(toy, scratch))
    base = Config.fromfile(osp.join(toy, standin.replace('_folder', '')))
    for key in ('val_dataloader', 'test_dataloader'):
        assert a[key] == b[key], key
    strip = [{k: v for k, v in c.train_dataloader.dataset.items()
              if k != 'pipeline'} for c in (a, b)]
    assert strip[0] == strip[1]
    assert a.train_dataloader.dataset.pipeline == \
        base.train_dataloader.dataset.pipeline
    for key in ('model', 'optim_wrapper', 'train_cfg', 'param_scheduler'):
        assert a[key] == base[key], key
