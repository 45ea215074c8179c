"""seenet_mm.pipeline without training: the stage table, the commands it
builds for the main job and for --compare, the state (settings, invalidation,
--from), the reports, and the runner with stand-in tools."""
import json
from dataclasses import replace
import os
import os.path as osp
import sys

import pytest

from conftest import REPO, pipeline_args, pipeline_main, tool_module

import seenet_mm.pipeline.runner as runner
from seenet_mm.models.classifiers.seenet import MODES
from seenet_mm.pipeline.job import make_context
from seenet_mm.pipeline.context import (DEFAULT_THRESHOLDS, PRESETS, Context,
                                        PipelineError, repo_root)
from seenet_mm.apis.training import val_history
from seenet_mm.pipeline.reports import write_report
from seenet_mm.visualization.report_tables import history_lines
from seenet_mm.pipeline.runner import (execute, run_command, run_compare,
                                       run_stages)
from seenet_mm.pipeline.stages import (COMPARE_STAGES, NO_VALIDATION,
                                       Call, STAGE_NAMES, STAGES, Stage,
                                       compare_chain, dependents, get_stage,
                                       metrics_file, stage_outputs)
from seenet_mm.pipeline.state import PipelineState

# the trainings' overrides without validation, as the log shows them
NO_VAL = [f'{k}={v}' for k, v in NO_VALIDATION.items()]
DONE = dict(attention=dict(checkpoint='/ck/att.pth'),
            affinity=dict(checkpoint='/ck/aff.pth'),
            segmentation=dict(checkpoint='/ck/seg.pth'),
            upper_bound=dict(checkpoint='/ck/full.pth'))



def argvs(steps):
    """The command lines of a stage's steps, as the log shows them."""
    from seenet_mm.pipeline.stages import Call
    return [c.argv() if isinstance(c, Call) else c for c in steps]

def make_ctx(tmp_path, **kw) -> Context:
    work = str(tmp_path / 'work')
    os.makedirs(work, exist_ok=True)
    voc = str(tmp_path / 'data' / 'VOCdevkit' / 'VOC2012')
    cfg_dir = tmp_path / 'cfg'  # the attention config and its siblings
    cfg_dir.mkdir(exist_ok=True)
    for suffix in ('', '_cam', '_acol', '_noflip'):
        (cfg_dir / f'att{suffix}.py').write_text("_base_ = ['./att.py']\n")
    args = dict(work_dir=work, out_dir=work, data_dir=voc,
                data_root=str(tmp_path / 'data'),
                saliency_dir=osp.join(voc, 'saliency'),
                attention_config=str(cfg_dir / 'att.py'),
                segmentation_config='/cfg/seg.py',
                quality_split=osp.join(voc, 'train.txt'),
                thresholds=(0.1, 0.5), affinity_config='/cfg/aff.py')
    args.update(kw)
    return Context(**args)


def commands(ctx, name, done=DONE):
    """The command lines a stage writes to the log."""
    return [c.argv() if isinstance(c, Call) else c
            for c in get_stage(name).commands(ctx, done)]


def test_table_is_in_dependency_order():
    assert STAGE_NAMES == ('data', 'standin', 'attention', 'attention_test',
                           'maps', 'labels', 'quality', 'affinity',
                           'refine', 'refined_quality', 'gallery',
                           'segmentation', 'segmentation_test',
                           'upper_bound', 'upper_bound_test', 'test_split')
    for i, stage in enumerate(STAGES):
        assert set(stage.reads) <= set(STAGE_NAMES[:i]), stage.name
    assert dependents('labels') == ['labels', 'quality', 'affinity',
                                    'refine', 'refined_quality', 'gallery',
                                    'segmentation', 'segmentation_test',
                                    'upper_bound_test', 'test_split']
    assert dependents('data') == [n for n in STAGE_NAMES if n != 'standin']
    assert dependents('standin') == [n for n in STAGE_NAMES if n != 'data']
    assert dependents('segmentation_test') == ['segmentation_test',
                                               'upper_bound_test']
    assert dependents('upper_bound') == ['upper_bound', 'upper_bound_test',
                                         'test_split']
    # --compare runs stages of the same table, in the table's order
    assert list(COMPARE_STAGES) == [s for s in STAGE_NAMES
                                    if s in COMPARE_STAGES]
    assert all(any(get_stage(n) is s for s in STAGES) for n in COMPARE_STAGES)
    with pytest.raises(KeyError):
        get_stage('nope')


def test_repo_root_holds_tools_and_presets():
    from seenet_mm.pipeline.context import FOLDER_PRESETS
    assert repo_root() == REPO
    for presets in (PRESETS, FOLDER_PRESETS):
        for cfgs in presets.values():
            assert all(osp.isfile(c) for c in cfgs)


def test_layout_detection_and_folder_context(tmp_path):
    """--data-root: a VOC root, a VOC2012 folder or an own folder; the
    own folder's commands give the models its M, its masks are the ground
    truth, and stages without masks are skipped with their reason."""
    import json
    from seenet_mm.datasets.image_folder import detect_layout
    from seenet_mm.pipeline.stages import val_masks_missing
    voc = tmp_path / 'v' / 'VOCdevkit' / 'VOC2012' / 'JPEGImages'
    voc.mkdir(parents=True)
    assert detect_layout(str(tmp_path / 'v')) == ('voc', str(voc.parent))
    assert detect_layout(str(voc.parent)) == ('voc', str(voc.parent))
    with pytest.raises(ValueError, match='neither a folder in the '
                       'own-folder format'):
        detect_layout(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='does not exist'):
        detect_layout(str(tmp_path / 'nope'))
    own = tmp_path / 'own'
    (own / 'masks').mkdir(parents=True)
    for split, names in (('train', 'ab'), ('val', 'c')):
        (own / f'{split}.json').write_text(json.dumps(dict(
            metainfo=dict(classes=['x', 'y']),
            data_list=[dict(img_path=n + '.jpg', gt_label=[0])
                       for n in names])))
    assert detect_layout(str(own)) == ('folder', str(own))
    ctx = make_ctx(tmp_path, data_dir=str(own), layout='folder',
                   classes=('x', 'y'), quality_split=None,
                   saliency_dir=str(own / 'saliency'), proxy_method='auto')
    assert ctx.gt_dir == str(own / 'masks')
    assert ctx.image_dir == str(own / 'images')
    assert ctx.resolved_proxy_method() == 'threshold'  # no saliency folder
    assert commands(ctx, 'labels')[0][2:] == [
        '--attention-dir', ctx.path('maps'), '--method', 'threshold',
        '--crf', '--image-dir', ctx.image_dir, '--out-dir', ctx.path('labels')]
    # without saliency the labels are refined by default: the affinity
    # network learns from them, the walk keeps their confident pixels, and
    # the segmentation trains on the refined labels
    assert ctx.resolved_refine() == 'irn'
    assert get_stage('affinity').skip(ctx) is None
    aff = commands(ctx, 'affinity')[0]
    assert aff[2] == ctx.affinity_config
    assert 'train_dataloader.dataset.data_prefix.seg_map_path=' \
        + ctx.path('labels') in aff
    done = {'affinity': {'checkpoint': 'A.pth'}}
    refine = argvs(get_stage('refine').commands(ctx, done))[0]
    assert refine[1:4] == ['tools/refine_labels.py', ctx.affinity_config,
                           'A.pth']
    assert refine[-4:] == ['--boundary-out', ctx.path('boundary'),
                           '--seed-dir', ctx.path('labels')]
    gallery = argvs(get_stage('gallery').commands(ctx, DONE))[0]
    i = gallery.index('--refined-dir')
    assert gallery[i:i + 4] == ['--refined-dir', ctx.path('refined'),
                                '--boundary-dir', ctx.path('boundary')]
    assert 'train_dataloader.dataset.data_prefix.seg_map_path=' \
        + ctx.path('refined') in commands(ctx, 'segmentation')[0]
    none = replace(ctx, refine='none')
    assert 'no refinement' in get_stage('refine').skip(none)
    assert 'no refinement' in get_stage('refined_quality').skip(none)
    assert 'train_dataloader.dataset.data_prefix.seg_map_path=' \
        + ctx.path('labels') in commands(none, 'segmentation')[0]
    assert 'model.num_classes=2' in commands(ctx, 'attention')[0]
    assert 'model.num_classes=2' in commands(ctx, 'maps')[0]
    seg = commands(ctx, 'segmentation')[0]
    assert 'model.decode_head.num_classes=3' in seg
    assert seg[-3:] == ['val_cfg=None', 'val_dataloader=None',
                        'val_evaluator=None']
    assert 'no train image has a mask' in get_stage('quality').skip(ctx)
    assert '1 of the 1 val images have no mask' in val_masks_missing(ctx)
    (own / 'masks' / 'a.png').write_bytes(b'')
    (own / 'masks' / 'c.png').write_bytes(b'')
    assert get_stage('quality').skip(ctx) is None
    quality = commands(ctx, 'quality')[0]
    at = quality.index('--split')
    assert quality[at:at + 2] == ['--split', ctx.path('quality_split.txt')]
    # confident seeds without saliency: the mask-tuned oracle too
    assert quality[-1] == '--oracle'
    get_stage('quality').prepare(ctx)  # the file, when the stage runs
    assert open(ctx.path('quality_split.txt')).read() == 'a\n'
    assert val_masks_missing(ctx) is None
    # the trainings of the pipeline never validate (the test stages score)
    assert commands(ctx, 'segmentation')[0][-3:] == NO_VAL
    (own / 'saliency').mkdir()
    assert ctx.resolved_proxy_method() == 'saliency'
    assert '--oracle' not in commands(ctx, 'quality')[0]


# the arguments through which a step writes (the others it reads)
WRITES = ('work_dir', 'out', 'out_dir', 'boundary_out', 'metrics_out')


def _work_paths(step, under):
    """``(key, path)`` of each argument of ``step`` (keywords and config
    overrides) naming a path under ``under``."""
    values = dict(step.kwargs)
    values.update(step.kwargs.get('cfg_options') or {})
    return [(k, v) for k, v in values.items() if isinstance(v, str)
            and (v == under or v.startswith(under + os.sep))]


def _within(path, roots):
    return any(path == r or path.startswith(r + os.sep) for r in roots)


@pytest.mark.parametrize('variant', ['saliency', 'no-saliency', 'toy'])
def test_each_stage_reads_what_the_stages_it_reads_wrote(tmp_path,
                                                         variant):
    """The data flow of the table, whatever the command lines: every path
    in the work dir that a stage's steps write lies among the stage's own
    outputs (what ``--from`` removes), and every one they read among the
    outputs of the stages it reads, directly or not. Each step is a typed
    function or a tool of the repository."""
    ctx = make_ctx(tmp_path, refine='irn', label_free=True,
                   upper_bound=True, quality_split=None)
    if variant == 'saliency':
        os.makedirs(ctx.saliency_dir)
    elif variant == 'toy':
        ctx = replace(ctx, data_root=None, data_dir=osp.join(
            ctx.work_dir, 'toy', 'VOCdevkit', 'VOC2012'))
    work = ctx.work_dir
    done = dict(DONE, attention=dict(checkpoint=ctx.path('attention',
                                                         'iter_1.pth')))
    flowed = set()
    for stage in STAGES:
        ancestors = [n for n in STAGE_NAMES
                     if stage.name in dependents(n) and n != stage.name]
        own = stage_outputs(stage.name, ctx)
        readable = [p for n in ancestors for p in stage_outputs(n, ctx)]
        for step in stage.commands(ctx, done):
            if not isinstance(step, Call):  # a converter's process
                assert osp.isfile(osp.join(REPO, step[1])), step
                continue
            assert osp.isfile(osp.join(REPO, 'tools',
                                       step.script + '.py')), step
            for key, path in _work_paths(step, work):
                if key in WRITES:
                    assert _within(path, own), (stage.name, key, path)
                else:
                    assert _within(path, readable + own), \
                        (stage.name, key, path)
                    flowed.add((stage.name, key))
    # the chain is connected: each stage that trains or scores reads the
    # outputs of the one before
    assert {('labels', 'attention_dir'), ('quality', 'label_dir'),
            ('segmentation', 'train_dataloader.dataset.data_prefix.'
             'seg_map_path'), ('refine', 'attention_dir'),
            ('refined_quality', 'label_dir'),
            ('gallery', 'label_dir')} <= flowed
    if variant == 'toy':
        assert ('attention', 'train_dataloader.dataset.data_root') in flowed


@pytest.mark.parametrize('amp,flag', [(True, '--amp'), (False, '--no-amp')])
def test_amp_reaches_the_tools_that_take_it(tmp_path, amp, flag):
    """--amp / --no-amp go to the stand-in, training, tests and attention
    inference (before their --cfg-options), and to no other tool; without
    either the configs' key decides (no flag)."""
    ctx = make_ctx(tmp_path, amp=amp)
    os.makedirs(ctx.saliency_dir)
    plain = make_ctx(tmp_path)
    takes = ('tools/train.py', 'tools/test.py', 'tools/infer_attention.py',
             'tools/make_standin.py')
    seen = set()
    for stage in STAGES:
        for cmd, ref in zip(argvs(stage.commands(ctx, DONE)),
                            argvs(stage.commands(plain, DONE))):
            assert '--amp' not in ref and '--no-amp' not in ref
            if cmd[1] in takes:
                i = cmd.index(flag)
                assert cmd[:i] + cmd[i + 1:] == ref
                assert '--cfg-options' not in cmd[:i] or \
                    cmd[i + 1] == '--cfg-options'
                seen.add(cmd[1])
            else:
                assert cmd == ref
    assert seen == set(takes)
    assert ctx.settings()['amp'] is amp and plain.settings()['amp'] is None


def test_compare_runs_each_mode_from_its_own_config(tmp_path):
    ctx = make_ctx(tmp_path)
    sub = ctx.variant('acol', 2)
    out = osp.join(ctx.work_dir, 'compare', 'acol', 'seed2')
    acol_cfg = str(tmp_path / 'cfg' / 'att_acol.py')
    assert sub.out_dir == out and sub.work_dir == ctx.work_dir
    assert sub.attention_config == acol_cfg
    assert sub.log_path == ctx.log_path
    assert sub.settings() == dict(ctx.settings(), attention_config=acol_cfg,
                                  train_seed=2)
    done = dict(attention=dict(checkpoint='/ck/acol.pth'))
    train = commands(sub, 'attention', done)[0]
    assert train[-4] == 'randomness.seed=2'
    assert not any('model.mode' in c for c in train)
    base = commands(ctx, 'attention')[0]
    seed = train.index('randomness.seed=2')
    assert train[:seed] + train[seed + 1:] == base[:2] + [
        acol_cfg, base[3], osp.join(out, 'attention')] + base[5:]
    # the model's test and inference: the mode's config, no seed
    test = commands(sub, 'attention_test', done)[0]
    assert test[2] == acol_cfg and test[3] == '/ck/acol.pth'
    assert not any('randomness' in c or 'model.mode' in c for c in test)
    maps = commands(sub, 'maps', done)[0]
    assert maps[2] == acol_cfg and '--cfg-options' not in maps
    assert maps[5] == osp.join(out, 'maps')
    assert ctx.variant('seenet', 0).attention_config == ctx.attention_config
    assert ctx.variant('seenet-noflip', 0).attention_config.endswith(
        'att_noflip.py')
    os.remove(tmp_path / 'cfg' / 'att_cam.py')
    with pytest.raises(PipelineError, match='att_cam.py of this mode'):
        ctx.variant('cam', 0)
    assert commands(sub, 'labels')[0][-1] == osp.join(out, 'labels')
    quality = commands(sub, 'quality')[0]
    assert quality[quality.index('--out') + 1] == osp.join(out,
                                                           'quality.json')


def test_settings_refused_unless_redone(tmp_path):
    work = str(tmp_path)
    state = PipelineState.load(work)
    assert state.entries == {}
    settings = dict(data_root='/d', thresholds=None, toy_seed=0)
    state.use_settings(settings)
    state.finish('data', dict(seconds=1.0))
    state = PipelineState.load(work)
    assert state.entries == dict(settings=settings, data=dict(seconds=1.0))
    other = dict(settings, thresholds=[0.3], toy_seed=1)
    with pytest.raises(PipelineError) as e:
        state.use_settings(other)
    assert str(e.value) == (
        f'error: {work} holds results made with other settings (thresholds:'
        ' None -> [0.3]; toy_seed: 0 -> 1); use another --work-dir, or '
        '--from STAGE to redo the stages from STAGE on with the new '
        'settings')
    assert state['settings'] == settings
    state.use_settings(other, allow_change=True)  # --from
    assert state['settings'] == other


def test_redo_from_and_invalidation(tmp_path):
    state = PipelineState(str(tmp_path / 'state.json'))
    for name in STAGE_NAMES:
        state.entries[name] = dict(seconds=0.0)
    state.entries['compare/cam/seed0'] = dict(seconds=0.0)
    state.redo_from('quality')
    assert list(state) == ['data', 'standin', 'attention', 'attention_test',
                           'maps', 'labels', 'compare/cam/seed0']
    maps = tmp_path / 'maps'
    maps.mkdir()
    (maps / 'a.npz').write_bytes(b'')
    state.entries['maps'] = dict(files=[str(maps), '.npz', 1], seconds=0.0)
    state.entries['gallery'] = dict(seconds=0.0)
    assert state.invalidate() == []
    (maps / 'a.npz').unlink()
    assert state.invalidate() == [
        ('maps', f'{maps} holds 0 of its 1 .npz files',
         ['maps', 'labels', 'gallery'])]
    assert list(state) == ['data', 'standin', 'attention', 'attention_test',
                           'compare/cam/seed0']


def test_run_stages_skips_finished_and_reruns_missing(tmp_path, capsys):
    """A two-stage table with stand-in commands."""
    ctx = make_ctx(tmp_path)
    out = osp.join(ctx.work_dir, 'a.txt')

    def write(ctx, done):
        return [Call('x', lambda: open(out, 'a').write('x'), {})]

    table = (Stage('a', (), write, record=lambda c, d: dict(paths=[out])),
             Stage('b', ('a', ), lambda c, d: [],
                   metrics=lambda c: {'m': 1.5}))
    state = PipelineState.load(ctx.work_dir)
    run_stages(table, ctx, state)
    assert open(out).read() == 'x'
    assert PipelineState.load(ctx.work_dir).entries == state.entries
    assert state['a']['paths'] == [out] and state['b']['metrics'] == {
        'm': 1.5}
    run_stages(table, ctx, state)
    assert open(out).read() == 'x'
    assert capsys.readouterr().out.count('skipped') == 2
    os.remove(out)
    assert state.invalidate(table) == [('a', f'{out} is missing',
                                        ['a', 'b'])]
    run_stages(table, ctx, state)
    assert open(out).read() == 'x'
    report = write_report(ctx, state, 'voc', table)
    assert report['metrics'] == {'m': 1.5} and report['note'] == ''
    md = open(osp.join(ctx.work_dir, 'report.md')).read().splitlines()
    assert md[:2] == ['| stage | seconds |', '|---|---|']
    assert md[-3] == '| m | 1.50 |'
    # report.md ends with the total time: the stages' seconds summed
    total = sum(state[s.name]['seconds'] for s in table)
    assert report['seconds'] == total
    assert md[-1].startswith(f'Total: {total:.0f} s (0 min ')


def test_failures_raise(tmp_path):
    ctx = make_ctx(tmp_path)
    with pytest.raises(PipelineError, match=r'^--data-root: .* does not '
                       'exist$'):
        execute(get_stage('data'), ctx, {})
    log = str(tmp_path / 'log')

    def boom():
        print('boom')
        sys.exit(3)
    with pytest.raises(PipelineError) as e:  # a function, in this process
        run_command(Call('x', boom, {}), log)
    assert str(e.value).startswith(f'stage failed (3); log: {log}\n')
    assert 'boom' in str(e.value)
    # a tool run as a process: its exit status and its error line
    missing = str(tmp_path / 'none.onnx')
    with pytest.raises(PipelineError) as e:
        run_command(Call('make_saliency', None, dict(
            model=missing, image_dir=str(tmp_path), out_dir=str(
                tmp_path / 'out')), ('model', )), log)
    assert str(e.value).startswith(f'stage failed (1); log: {log}\n')
    assert str(e.value).splitlines()[-1] == (f'error: {tmp_path}: no images '
                                             '(.jpg, .jpeg, .png)')


def fake_tool(calls):
    """Stand-ins for the tools: write the files the stages record."""
    def run(step, log_path):
        cmd = argvs([step])[0]
        calls.append(cmd)

        def opt(name):
            return cmd[cmd.index(name) + 1]
        tool = cmd[1]
        if tool == 'tools/train.py':
            os.makedirs(opt('--work-dir'))
            ckpt = osp.join(opt('--work-dir'), 'iter_1.pth')
            open(ckpt, 'w').close()
            with open(osp.join(opt('--work-dir'), 'last_checkpoint'),
                      'w') as f:
                f.write(ckpt)
        elif tool == 'tools/test.py':
            os.makedirs(opt('--work-dir'))
            with open(opt('--metrics-out'), 'w') as f:
                json.dump({'cls/mAP': 60.0, 'cls/AP_cat': 1.0}, f)
        elif tool == 'tools/make_toy_dataset.py':  # with its saliency maps
            for sub in ('JPEGImages', 'SegmentationClass', 'saliency'):
                os.makedirs(osp.join(opt('--out'), 'VOCdevkit', 'VOC2012',
                                     sub))
        elif tool in ('tools/infer_attention.py',
                      'tools/make_proxy_labels.py', 'tools/refine_labels.py'):
            os.makedirs(opt('--out-dir'))
        elif tool == 'tools/eval_seeds.py' and '--attention-dir' not in cmd:
            with open(opt('--out'), 'w') as f:  # refined labels only
                json.dump(dict(labels=dict(
                    mIoU=50.0, mIoU_ignore_as_background=45.0)), f)
        elif tool == 'tools/eval_seeds.py':
            with open(opt('--out'), 'w') as f:
                json.dump(dict(
                    seeds=dict(best=dict(mIoU=30.0), best_threshold=0.5,
                               best_at_edge=True, thresholds=[0.1, 0.5],
                               pxap=55.0),
                    labels=dict(mIoU=40.0, background_spread=2.0,
                                mIoU_ignore_as_background=35.0,
                                ignored_fraction=7.0)), f)
        else:
            raise AssertionError(cmd)
    return run


def test_compare_runs_the_chain_of_the_table(tmp_path, monkeypatch,
                                             capsys):
    calls = []
    monkeypatch.setattr(runner, 'run_command', fake_tool(calls))
    ctx = make_ctx(tmp_path, refine='none')  # the attention chain only
    os.makedirs(osp.join(ctx.data_dir, 'JPEGImages'))
    os.makedirs(ctx.gt_dir)
    state = PipelineState.load(ctx.work_dir)
    result = run_compare(ctx, state, ['cam', 'seenet'], [0, 1])
    assert [c[1] for c in calls[:5]] == [
        'tools/train.py', 'tools/test.py', 'tools/infer_attention.py',
        'tools/make_proxy_labels.py', 'tools/eval_seeds.py']
    assert calls[:5] == [c for s in COMPARE_STAGES for c in argvs(get_stage(
        s).commands(ctx.variant('cam', 0), dict(attention=dict(
            checkpoint=calls[0][4] + '/iter_1.pth'))))]
    assert len(calls) == 20
    assert list(state) == ['data', 'standin', 'compare/cam/seed0',
                           'compare/cam/seed1', 'compare/seenet/seed0',
                           'compare/seenet/seed1']
    assert 'skipped' in state['standin']  # these configs load no stand-in
    row = dict(mAP=60.0, seed_mIoU=30.0, best_thr=0.5, at_edge=True,
               sweep=[0.1, 0.5], label_mIoU=40.0)
    assert [(r['mode'], r['seed']) for r in result['rows']] == [
        ('cam', 0), ('cam', 1), ('seenet', 0), ('seenet', 1)]
    for r in result['rows']:
        assert {k: r[k] for k in row} == row
    assert json.load(open(osp.join(ctx.work_dir, 'compare.json'))) == \
        result
    md = open(osp.join(ctx.work_dir, 'compare.md')).read()
    assert '| cam | 0 | 60.0 | 30.0 (0.50, at sweep edge) | 40.0 |' in md
    assert '| seenet | 30.0 | 40.0 |' in md  # the means over seeds
    # the threshold-free PxAP per row and, over the seeds, mean +- std
    assert '| cam | 0 | - | - | - | 55.0 |' in md
    assert '| cam | 2 | - | - | - | 55.00 ± 0.00 |' in md
    assert md.endswith('Seed sweep: 0.10 ... 0.50\n')
    # finished rows are not run again
    calls.clear()
    run_compare(ctx, PipelineState.load(ctx.work_dir), ['cam'], [1])
    assert calls == []


def test_quality_and_test_metrics_keep_their_report_names(tmp_path,
                                                          monkeypatch):
    calls = []
    monkeypatch.setattr(runner, 'run_command', fake_tool(calls))
    ctx = make_ctx(tmp_path)
    os.makedirs(osp.join(ctx.data_dir, 'JPEGImages'))
    os.makedirs(ctx.gt_dir)
    done = {}
    for name in ('attention', 'attention_test', 'maps', 'labels',
                 'quality'):
        done[name] = execute(get_stage(name), ctx, done)
    assert done['attention_test']['metrics'] == {'cls/mAP': 60.0}
    assert done['quality']['metrics'] == {
        'seed mIoU (best threshold)': 30.0, 'best threshold': 0.5,
        'best threshold at sweep edge': True, 'seed PxAP': 55.0,
        'proxy-label mIoU': 40.0,
        'proxy-label background spread %': 2.0,
        'proxy-label mIoU (255 as background)': 35.0,
        'proxy-label ignored %': 7.0}
    assert done['maps']['files'] == [ctx.path('maps'), '.npz', 0]
    assert done['quality']['paths'] == [ctx.path('quality.json')]
    assert done['attention']['checkpoint'] == ctx.path('attention',
                                                       'iter_1.pth')
    names = get_stage('segmentation_test').metrics
    for suffix in ('', '_tta', '_crf'):
        test_dir = ctx.path('segmentation_test' + suffix)
        os.makedirs(test_dir)
        with open(osp.join(test_dir, 'metrics.json'), 'w') as f:
            json.dump(dict(mIoU=len(suffix) + 0.5, aAcc=1.0), f)
    assert names(ctx) == {'segmentation val mIoU': 0.5,
                          'segmentation val mIoU --tta': 4.5,
                          'segmentation val mIoU --crf': 4.5}


def test_command_line(tmp_path, capsys):
    """tools/pipeline.py's defaults are run_pipeline's, its choices the
    table's stages and the modes."""
    import inspect

    from seenet_mm.pipeline import run_pipeline
    args = pipeline_args([])
    defaults = {name: p.default for name, p in
                inspect.signature(run_pipeline).parameters.items()}
    assert args == defaults
    assert args['modes'] == MODES and args['work_dir'] == \
        'work_dirs/pipeline' and args['seeds'] == (0, ) and \
        args['from_stage'] is None
    with pytest.raises(SystemExit):
        pipeline_args(['--from', 'nothing'])
    with pytest.raises(SystemExit):
        pipeline_args(['--modes', 'nothing'])
    assert pipeline_args(['--from', STAGE_NAMES[-1]])['from_stage'] == \
        STAGE_NAMES[-1]
    assert pipeline_args(['--modes', *MODES])['modes'] == list(MODES)
    capsys.readouterr()
    args = pipeline_args(['--work-dir', str(tmp_path / 'w'),
                          '--data-root', str(tmp_path / 'd')])
    with pytest.raises(PipelineError, match='--data-root: .*d does not '
                       'exist'):
        make_context(args)
    (tmp_path / 'd' / 'VOCdevkit' / 'VOC2012').mkdir(parents=True)
    ctx, preset = make_context(args)
    assert preset == 'voc' and ctx.attention_config == PRESETS['voc'][0]
    # the quality split is decided when the stage runs
    from seenet_mm.pipeline.stages import quality_split
    assert ctx.quality_split is None and quality_split(ctx) is None
    split = tmp_path / 'd' / 'VOCdevkit' / 'VOC2012' / 'ImageSets' / \
        'Segmentation' / 'train.txt'
    split.parent.mkdir(parents=True)
    split.write_text('a\n')
    assert quality_split(ctx) == str(split)
    # other settings on a work dir: one line, status 1, nothing run
    work = str(tmp_path / 'w')
    os.makedirs(work)
    state = PipelineState.load(work)
    state.use_settings(ctx.settings())
    state.save()
    with pytest.raises(SystemExit) as e:
        pipeline_main(['--work-dir', work, '--data-root',
                       str(tmp_path / 'd'), '--thresholds', '0.3'])
    # the default sweep, 0.05 ... 0.95, is recorded
    assert ctx.thresholds == DEFAULT_THRESHOLDS
    assert DEFAULT_THRESHOLDS[0] == 0.05 and DEFAULT_THRESHOLDS[-1] == 0.95
    assert len(DEFAULT_THRESHOLDS) == 19
    assert str(e.value).startswith(f'error: {work} holds results made with '
                                   'other settings (thresholds: '
                                   f'{list(DEFAULT_THRESHOLDS)} -> [0.3]); ')
    assert capsys.readouterr().out == ''
    with pytest.raises(SystemExit) as e:
        pipeline_main(['--work-dir', work, '--attention-config',
                       '/no/such.py'])
    assert str(e.value) == 'error: config /no/such.py does not exist'


def test_shared_state_keeps_the_rows_of_runs_side_by_side(tmp_path):
    from seenet_mm.pipeline.state import PipelineState
    work = str(tmp_path)
    first = PipelineState.load(work)
    first.use_settings({'a': 1})
    first.finish('data', {'seconds': 1.0})
    first.finish('attention', {'seconds': 2.0})
    # two --compare runs loaded the state before either wrote a row
    one, two = PipelineState.load(work), PipelineState.load(work)
    two.redo_from('attention')  # forgotten by the second run
    with one.shared():
        one.finish('compare/cam/seed0', {'row': 1})
    with two.shared():
        two.finish('compare/acol/seed0', {'row': 2})
    saved = PipelineState.load(work)
    assert 'compare/cam/seed0' in saved and 'compare/acol/seed0' in saved
    assert 'data' in saved and 'attention' not in saved
    assert saved['settings'] == {'a': 1}
    with one.shared():  # the first run sees the second's row
        assert 'compare/acol/seed0' in one


def test_seed_reaches_the_trainings_only(tmp_path):
    ctx = make_ctx(tmp_path)
    seeded = make_ctx(tmp_path, train_seed=7)
    for stage in STAGES:
        for plain, cmd in zip(argvs(stage.commands(ctx, DONE)),
                              argvs(stage.commands(seeded, DONE))):
            if stage.name in ('attention', 'affinity', 'segmentation',
                              'upper_bound'):
                i = cmd.index('randomness.seed=7')
                assert cmd[:i] + cmd[i + 1:] == plain, stage.name
            else:
                assert cmd == plain, stage.name
    assert seeded.settings() == dict(ctx.settings(), train_seed=7)


def test_expected_figures_of_the_default_toy_job(tmp_path, capsys):
    from seenet_mm.pipeline.context import PRESETS
    from seenet_mm.pipeline.expected import (EXPECTED_KEYS, expected_block,
                                             read_expected, tolerance)
    # the tolerance: twice the spread, at least 2 points
    assert tolerance(0.3) == 2.0 and tolerance(1.5) == 3.0
    table = {'cls/mAP': dict(mean=90.0, std=0.5, seeds=3),
             'proxy-label mIoU': dict(mean=80.0, std=2.0, seeds=3)}
    block = expected_block({'cls/mAP': 92.01, 'proxy-label mIoU': 76.0,
                            'seed mIoU (best threshold)': 50.0}, table)
    assert block == {'cls/mAP': dict(mean=90.0, std=0.5, within=False),
                     'proxy-label mIoU': dict(mean=80.0, std=2.0,
                                              within=True)}
    # the metafile's entries of the toy preset's two configs
    metafile = osp.join(osp.dirname(PRESETS['toy'][0]), 'metafile.yaml')
    names = {osp.splitext(osp.basename(c))[0] for c in PRESETS['toy']}
    expected = read_expected(metafile, names)
    assert set(expected) == set(EXPECTED_KEYS)
    # write_report: the block and a column for the default toy job only
    ctx = make_ctx(tmp_path, data_root=None,
                   attention_config=PRESETS['toy'][0],
                   segmentation_config=PRESETS['toy'][1],
                   thresholds=tuple(DEFAULT_THRESHOLDS))
    state = runner.PipelineState.load(ctx.work_dir)
    metrics = {k: v['mean'] for k, v in expected.items()}
    far = EXPECTED_KEYS[3]
    metrics[far] += tolerance(expected[far]['std']) + 0.01
    state.finish('only', dict(seconds=1.0, metrics=metrics))
    table = (Stage('only', (), lambda c, d: []), )
    report = write_report(ctx, state, 'toy', table)
    assert {k: e['within'] for k, e in report['expected'].items()} == {
        k: k != far for k in EXPECTED_KEYS}
    md = open(osp.join(ctx.work_dir, 'report.md')).read()
    assert '| metric | value | expected (mean ± std over seeds) |' in md
    assert f'Outside: {far}.' in md and md.count('**outside**') == 1
    for other in (dict(preset='voc'), dict(toy_seed=1),
                  dict(thresholds=None)):
        preset = other.pop('preset', 'toy')
        ctx2 = replace(ctx, **other)
        assert 'expected' not in write_report(ctx2, state, preset, table)


def test_docs_hold_the_stage_table():
    """docs/pipeline.md shows the table printed from STAGES, the one list
    of the stages; the command line's help lists every stage."""
    from seenet_mm.pipeline.stages import stage_table
    with open(osp.join(REPO, 'docs', 'pipeline.md')) as f:
        assert stage_table() in f.read()
    epilog = tool_module('pipeline').stages_help()
    assert [line.split()[0] for line in epilog.splitlines()[1:]] == \
        list(STAGE_NAMES)


def test_building_commands_has_no_side_effects(tmp_path, capsys):
    """Building every stage's command lines prints nothing and writes no
    file, on every layout; the own folder's quality split is written by
    the stage's prepare step."""
    own = tmp_path / 'own'
    (own / 'masks').mkdir(parents=True)
    (own / 'train.json').write_text(json.dumps(dict(
        metainfo=dict(classes=['a']), data_list=[
            dict(img_path='x.jpg', labels=[0]),
            dict(img_path='y.jpg', labels=[0])])))
    (own / 'masks' / 'x.png').write_bytes(b'')
    for ctx in (make_ctx(tmp_path), make_ctx(tmp_path, quality_split=None),
                make_ctx(tmp_path, data_dir=str(own), layout='folder',
                         quality_split=None, classes=('a', ))):
        before = sorted(str(p) for p in tmp_path.rglob('*'))
        for stage in STAGES:
            argvs(stage.commands(ctx, DONE))
        assert sorted(str(p) for p in tmp_path.rglob('*')) == before
    assert capsys.readouterr().out == ''
    get_stage('quality').prepare(ctx)
    with open(ctx.path('quality_split.txt')) as f:
        assert f.read() == 'x\n'
    assert '--split' in argvs(get_stage('quality').commands(ctx, DONE))[0]


def test_val_interval_follows_the_training(tmp_path):
    ctx = make_ctx(tmp_path, val_interval=50)
    assert commands(ctx, 'attention')[0][-1] == 'train_cfg.val_interval=50'
    assert NO_VAL[0] not in commands(ctx, 'attention')[0]
    # two runs of one training (the second resumed): a repeated pass
    # counts once, the later one; train lines (no '/' in a key) are not
    # passes
    train_dir = ctx.path('attention')
    lines = {'20260101_000000': [
        dict(loss=0.5, iter=50, step=50),
        {'seed/mIoU': 10.0, 'zone/context_in_bg': 1.0, 'step': 50},
        {'seed/mIoU': 20.0, 'zone/context_in_bg': 3.0, 'step': 100}],
        '20260101_000100': [
        {'seed/mIoU': 30.0, 'zone/context_in_bg': 5.0, 'step': 100}]}
    for stamp, entries in lines.items():
        os.makedirs(osp.join(train_dir, stamp, 'vis_data'))
        with open(osp.join(train_dir, stamp, 'vis_data', 'scalars.json'),
                  'w') as f:
            f.write(''.join(json.dumps(e) + '\n' for e in entries))
    history = val_history(train_dir)
    assert history == [
        {'iter': 50, 'seed/mIoU': 10.0, 'zone/context_in_bg': 1.0},
        {'iter': 100, 'seed/mIoU': 30.0, 'zone/context_in_bg': 5.0}]
    other = [{'iter': 50, 'seed/mIoU': 20.0}]
    md = history_lines([('seenet', 0, dict(history=history)),
                        ('seenet', 1, dict(history=other)),
                        ('cam', 0, {})], ['cam', 'seenet'])
    assert '| seenet | 50 | 2 | 15.0 | - | - | 1.0 | - | - |' in md
    assert '| seenet | 100 | 1 | 30.0 | - | - | 5.0 | - | - |' in md
    assert not any(line.startswith('| cam |') for line in md)
    assert history_lines([('cam', 0, {})], ['cam']) == []
    args = pipeline_args(['--work-dir', str(tmp_path / 'w'),
                          '--val-interval', '0'])
    with pytest.raises(PipelineError, match='--val-interval must be at '
                       'least 1, got 0'):
        make_context(args)


def test_compare_refines_each_modes_labels_without_saliency(tmp_path,
                                                            monkeypatch):
    calls = []
    monkeypatch.setattr(runner, 'run_command', fake_tool(calls))
    ctx = make_ctx(tmp_path, proxy_method='threshold')
    os.makedirs(osp.join(ctx.data_dir, 'JPEGImages'))
    os.makedirs(ctx.gt_dir)
    assert compare_chain(ctx) == COMPARE_STAGES + (
        'affinity', 'refine', 'refined_quality')
    assert compare_chain(replace(ctx, refine='none')) == COMPARE_STAGES
    result = run_compare(ctx, PipelineState.load(ctx.work_dir), ['cam'],
                         [0, 1])
    # each mode and seed trains its own affinity network on its own labels
    aff = [c for c in calls if c[1] == 'tools/train.py'
           and c[2] == '/cfg/aff.py']
    assert [c[c.index('--work-dir') + 1] for c in aff] == [
        ctx.variant('cam', s).path('affinity') for s in (0, 1)]
    row = result['rows'][0]
    assert (row['label_mIoU_bg'], row['refined_label_mIoU'],
            row['refined_label_mIoU_bg']) == (35.0, 50.0, 45.0)
    md = open(osp.join(ctx.work_dir, 'compare.md')).read()
    assert 'refined-label mIoU (255 as bg) |' in md
    assert '| 35.0 | 45.0 |' in md
    assert '| cam | 30.0 | 40.0 | - | - | 45.0 |' in md  # the means


def test_compare_decides_on_refinement_once_the_data_exists(tmp_path,
                                                            monkeypatch):
    # the toy set (with saliency maps) is made by the data stage: before
    # it, the labels would look saliency-free
    calls = []
    monkeypatch.setattr(runner, 'run_command', fake_tool(calls))
    ctx = make_ctx(tmp_path, data_root=None, quality_split=None)
    ctx = replace(ctx, data_dir=osp.join(ctx.toy_dir, 'VOCdevkit', 'VOC2012'),
                  saliency_dir=osp.join(ctx.toy_dir, 'VOCdevkit', 'VOC2012',
                                        'saliency'))
    assert compare_chain(ctx) != COMPARE_STAGES  # no saliency yet
    run_compare(ctx, PipelineState.load(ctx.work_dir), ['cam'], [0])
    assert calls[0][1] == 'tools/make_toy_dataset.py'
    assert not any(c[1] == 'tools/refine_labels.py' for c in calls)
    assert [c[1] for c in calls[1:]] == [
        'tools/train.py', 'tools/test.py', 'tools/infer_attention.py',
        'tools/make_proxy_labels.py', 'tools/eval_seeds.py']


def test_redone_stages_start_from_nothing(tmp_path, monkeypatch):
    """--from and lost outputs: the stages redone lose what they wrote, so
    that their tools (which resume from what they find) redo them."""
    from seenet_mm.pipeline import job
    from seenet_mm.pipeline.runner import clear_outputs
    from seenet_mm.pipeline.stages import stage_outputs
    ctx = make_ctx(tmp_path)
    for name in ('maps', 'affinity', 'refined', 'boundary', 'segmentation'):
        os.makedirs(ctx.path(name, 'sub'))
    open(ctx.path('refined_quality.json'), 'w').close()
    assert stage_outputs('data', ctx) == []  # a --data-root is never removed
    assert stage_outputs('standin', ctx) == []
    removed = clear_outputs(['affinity', 'refine', 'refined_quality',
                             'gallery'], ctx)
    assert removed == [ctx.path('affinity'), ctx.path('refined'),
                       ctx.path('boundary'), ctx.path('refined_quality.json')]
    assert osp.isdir(ctx.path('maps')) and osp.isdir(ctx.path('segmentation'))
    toy = replace(ctx, data_root=None)
    assert stage_outputs('data', toy) == [toy.toy_dir]
    # through the command line: --from segmentation removes its checkpoints
    # before anything runs, and leaves the stages before it
    monkeypatch.setattr(job, 'run_main',
                        lambda ctx, state, preset: {})
    # (no VGG16 weights here: test_user_road checks that refusal)
    monkeypatch.setattr(job, 'check_configs',
                        lambda ctx, compare=False: None)
    data = tmp_path / 'd' / 'VOCdevkit' / 'VOC2012'
    data.mkdir(parents=True)
    work = ctx.work_dir
    args = pipeline_args(['--work-dir', work, '--data-root',
                          str(tmp_path / 'd'), '--from', 'segmentation'])
    job.run_job(args)
    assert not osp.exists(ctx.path('segmentation'))
    assert osp.isdir(ctx.path('maps'))


def test_report_carries_the_oracle_beside_the_metrics(tmp_path):
    ctx = make_ctx(tmp_path)
    state = PipelineState.load(ctx.work_dir)
    oracle = dict(best_threshold=0.5, fg_thr=0.6, bg_thr=0.4,
                  mIoU_ignore_as_background=70.0, ignored_fraction=9.0,
                  auto_mIoU_ignore_as_background=65.0,
                  auto_ignored_fraction=8.0)
    with open(ctx.path('quality.json'), 'w') as f:
        json.dump(dict(oracle=oracle), f)
    state.finish('quality', dict(seconds=1.0, metrics={'m': 1.0}))
    report = write_report(ctx, state, 'voc', (get_stage('quality'), ))
    assert report['oracle'] == oracle and 'oracle' not in report['metrics']
    md = open(osp.join(ctx.work_dir, 'report.md')).read()
    assert 'Oracle (thresholds tuned on the masks, t* +- 0.10 = 0.60 / ' \
        '0.40): confident seeds without CRF 70.00 mIoU (255 as ' \
        'background), against 65.00 for `auto`.' in md


def test_from_is_refused_with_compare(tmp_path):
    """--from redoes the main job's stages in the work dir itself: with
    --compare it would remove the main job's results and redo no row."""
    from seenet_mm.pipeline import job
    data = tmp_path / 'd' / 'VOCdevkit' / 'VOC2012'
    data.mkdir(parents=True)
    work = tmp_path / 'w'
    (work / 'maps').mkdir(parents=True)
    args = pipeline_args(['--work-dir', str(work), '--data-root',
                          str(tmp_path / 'd'), '--compare', '--from', 'maps'])
    with pytest.raises(PipelineError, match='another --work-dir'):
        job.run_job(args)
    assert (work / 'maps').is_dir()


def test_upper_bound_and_test_split_stages(tmp_path):
    """--upper-bound trains on the true masks; the test split is scored
    last, with the val settings, for the segmentation and the ceiling, and
    its figures land in ``test_metrics`` under the val keys."""
    data = tmp_path / 'folder'
    (data / 'masks').mkdir(parents=True)
    for split, names in (('train', ['a', 'b']), ('val', ['c']),
                         ('test', ['d', 'e'])):
        (data / f'{split}.json').write_text(json.dumps(dict(
            metainfo=dict(classes=['x']),
            data_list=[dict(img_path=n + '.png', gt_label=[0])
                       for n in names])))
    ctx = make_ctx(tmp_path, data_dir=str(data), layout='folder',
                   classes=('x', ), saliency_dir=str(data / 'saliency'))
    ub, ub_test, split = (get_stage(n) for n in
                          ('upper_bound', 'upper_bound_test', 'test_split'))
    assert ub.skip(ctx) == 'no --upper-bound'
    full = replace(ctx, upper_bound=True)
    assert 'train images have no mask' in ub.skip(full)
    assert 'no mask' in split.skip(ctx)
    for n in 'abcde':
        (data / 'masks' / f'{n}.png').write_bytes(b'')
    assert ub.skip(full) is None and split.skip(ctx) is None
    train, = argvs(ub.commands(full, DONE))
    assert f'train_dataloader.dataset.data_prefix.seg_map_path=' \
        f'{data}/masks' in train
    assert train[train.index('--work-dir') + 1] == full.path('upper_bound')
    cmds = argvs(split.commands(full, DONE))
    assert [c[3] for c in cmds] == ['/ck/seg.pth'] * 3 + ['/ck/full.pth']
    assert all(c[-1] == 'test_dataloader.dataset.ann_file=test.json'
               for c in cmds)
    assert [('--tta' in c, '--crf' in c) for c in cmds] == [
        (False, False), (True, False), (False, True), (False, False)]
    # without the ceiling: the three segmentation tests only
    no_ub = {k: v for k, v in DONE.items() if k != 'upper_bound'}
    assert len(argvs(split.commands(ctx, no_ub))) == 3
    scores = {'segmentation val mIoU': 40.0,
              'segmentation val mIoU --tta': 41.0,
              'segmentation val mIoU --crf': 42.0,
              'segmentation val mIoU (full supervision)': 50.0}
    for cmd, value in zip(cmds, scores.values()):
        out = cmd[cmd.index('--metrics-out') + 1]
        os.makedirs(osp.dirname(out))
        with open(out, 'w') as f:
            json.dump({'mIoU': value, 'IoU.x': 1.0}, f)
    info = split.record(full, DONE)
    assert info['test_metrics'] == dict(
        scores, **{'segmentation val mIoU / full supervision': 0.8})
    for folder in ('segmentation_test', 'upper_bound_test'):
        os.makedirs(full.path(folder))
    with open(metrics_file(full.path('segmentation_test')), 'w') as f:
        json.dump({'mIoU': 30.0}, f)
    with open(metrics_file(full.path('upper_bound_test')), 'w') as f:
        json.dump({'mIoU': 60.0}, f)
    assert ub_test.metrics(full) == {
        'segmentation val mIoU (full supervision)': 60.0,
        'segmentation val mIoU / full supervision': 0.5}


def test_saliency_model_made_by_the_data_stage(tmp_path):
    """--saliency-model: the data stage makes the maps of the dataset's
    images into the work dir (after converting a CamVid folder), the
    labels use Algorithm 1 on them, and --from data removes them."""
    ctx = make_ctx(tmp_path, saliency_model='/m/isnet.onnx',
                   saliency_dir=str(tmp_path / 'work' / 'saliency_model'))
    assert ctx.resolved_proxy_method() == 'saliency'
    assert commands(ctx, 'data') == [[
        sys.executable, 'tools/make_saliency.py', '/m/isnet.onnx',
        '--image-dir', ctx.image_dir, '--out-dir', ctx.saliency_dir,
        '--no-progress']]
    camvid = replace(ctx, source_root='/src/camvid', layout='folder',
                     data_dir=str(tmp_path / 'work' / 'camvid'))
    convert, weights, saliency = commands(camvid, 'data')
    assert convert[1:] == ['tools/dataset_converters/camvid.py',
                           '/src/camvid', camvid.data_dir]
    assert weights[-1] == camvid.backbone_weights
    assert saliency[3:5] == ['--image-dir',
                             osp.join(camvid.data_dir, 'images')]
    assert stage_outputs('data', camvid) == [camvid.data_dir,
                                             camvid.saliency_dir]
    assert stage_outputs('data', ctx) == [ctx.saliency_dir]
    assert camvid.settings()['saliency_model'] == '/m/isnet.onnx'
    assert 'saliency_model' not in make_ctx(tmp_path).settings()


def test_camvid_preset_context(tmp_path):
    """--preset camvid: a CamVid-layout --data-root is converted into the
    work dir (the converter's classes, the EfficientNet weights there);
    without --data-root, one error saying what it needs."""
    src = tmp_path / 'camvid'
    (src / 'trainannot').mkdir(parents=True)
    (src / 'saliency').mkdir()
    (src / 'train.txt').write_text('a\n')
    work = str(tmp_path / 'work')
    ctx, preset = make_context(pipeline_args(
        ['--preset', 'camvid', '--data-root', str(src), '--work-dir', work,
         '--upper-bound']))
    assert preset == 'camvid' and ctx.layout == 'folder'
    assert ctx.source_root == str(src)
    assert ctx.data_dir == osp.join(work, 'camvid')
    assert ctx.classes == ('car', 'pedestrian', 'bicyclist', 'sign', 'pole',
                           'fence')
    assert osp.basename(ctx.attention_config) == \
        'seenet_efficientnet-lite0-d16_1xb16-400_camvid-224x224.py'
    # Algorithm 1 with the source's saliency, decided before conversion
    assert ctx.resolved_proxy_method() == 'saliency'
    assert ctx.resolved_refine() == 'none'
    weights = osp.join(work, 'pretrain', 'efficientnet-lite0_timm.pth')
    assert ctx.attention_options()[
        'model.backbone.init_cfg.checkpoint'] == weights
    assert ctx.segmentation_options()[
        'model.backbone.init_cfg.checkpoint'] == weights
    assert ctx.upper_bound and ctx.settings()['upper_bound']
    with pytest.raises(PipelineError, match='--preset camvid needs '
                       '--data-root'):
        make_context(pipeline_args(['--preset', 'camvid', '--work-dir',
                                    work]))


def test_compare_lines_of_tuned_and_oracle_seeds():
    """Per row the tuned seed mIoU with its threshold, the oracle and the
    gap; over the seeds their mean +- sample std."""
    from seenet_mm.visualization.report_tables import fair_lines
    rows = [('cam', s, dict(seed_mIoU_tuned=t, tuned_thr=0.4,
                            seed_mIoU_report_oracle=o, pxap=p))
            for s, (t, o, p) in enumerate([(50.0, 52.0, 60.0),
                                           (54.0, 55.0, 64.0)])]
    lines = fair_lines(rows, ['cam'], spread=True)
    assert '| cam | 0 | 50.0 (0.40) | 52.0 | 2.0 | 60.0 |' in lines
    assert '| cam | 2 | 52.00 ± 2.83 | 53.50 ± 2.12 | 1.50 ± 0.71 | ' \
        '62.00 ± 2.83 |' in lines
    assert fair_lines([('cam', 0, dict(seed_mIoU=1.0))], ['cam'],
                      spread=False) == []


def _tool_module(script):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'tool_' + script.replace('/', '_'),
        osp.join(REPO, 'tools', script + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('variant', ['saliency', 'toy', 'no-saliency'])
def test_each_steps_command_line_gives_its_call(tmp_path, variant):
    """The command line each step writes to the log, parsed by its tool's
    own parse_args, gives the arguments the stage called the function
    with, and every other option at the function's default: rerun by hand,
    a step does what the stage did."""
    from seenet_mm.cli import signature_defaults
    kw = dict(amp=True, train_seed=4, val_interval=3, label_free=True,
              attention_cfg_options=('model.loss_weights=[1,1,0.5]', ),
              segmentation_cfg_options=('train_cfg.max_iters=7', ),
              affinity_cfg_options=('model.radius=(3,4)', ))
    if variant == 'toy':
        kw.update(data_root=None, toy_seed=3, toy_context=True, amp=False)
    if variant == 'no-saliency':
        # a converted CamVid folder with a saliency model: the steps run
        # as processes are checked too
        kw.update(layout='folder', classes=('a', 'b'),
                  proxy_method='threshold', quality_split=None,
                  thresholds=None, upper_bound=True,
                  source_root=str(tmp_path / 'camvid'),
                  saliency_model=str(tmp_path / 'isnet.onnx'))
    ctx = make_ctx(tmp_path, **kw)
    if variant == 'saliency':
        os.makedirs(ctx.saliency_dir)
    os.makedirs(ctx.work_dir, exist_ok=True)
    open(ctx.path('tune_split.txt'), 'w').close()
    done = dict(DONE, affinity=dict(checkpoint='/ck/aff.pth'),
                upper_bound=dict(checkpoint='/ck/ub.pth'))
    checked = set()
    for stage in STAGES:
        for step in stage.commands(ctx, done):
            if not isinstance(step, Call):
                continue
            args = vars(_tool_module(step.script).parse_args(
                step.argv()[2:]))
            for key, value in step.kwargs.items():
                got = args[key] if key != 'cfg_options' else \
                    args[key] or {}
                if isinstance(value, tuple) and key != 'cfg_options':
                    value = list(value)
                assert got == value, (stage.name, step.script, key)
            defaults = signature_defaults(step.func) if step.func else {}
            for key, value in args.items():
                if key not in step.kwargs and key in defaults:
                    def plain(v):  # argparse may give a list
                        return list(v) if isinstance(v, tuple) else v
                    assert plain(value) == plain(defaults[key]), \
                        (step.script, key)
            checked.add(step.script)
    assert {'train', 'test', 'infer_attention', 'make_proxy_labels',
            'eval_seeds', 'make_gallery'} <= checked
    if variant == 'toy':
        assert {'make_toy_dataset', 'make_standin'} <= checked
    if variant == 'no-saliency':
        assert {'refine_labels', 'dataset_converters/camvid',
                'model_converters/efficientnet_lite0',
                'make_saliency'} <= checked


def test_run_pipeline_from_python(tmp_path):
    """The main job as a function: bad input raises PipelineError with the
    command line's message, and config overrides given as a dict reach
    the job as the same settings as the command line's strings."""
    from seenet_mm.pipeline import run_pipeline
    from seenet_mm.cli import option_strings
    with pytest.raises(PipelineError, match='--data-root: .*nothing does '
                       'not exist'):
        run_pipeline(work_dir=str(tmp_path / 'w'),
                     data_root=str(tmp_path / 'nothing'))
    assert option_strings({'a.b': 1, 'c': [1, 2], 'd': (0.5, 'x')}) == \
        ('a.b=1', 'c=[1,2]', 'd=(0.5,x)')
    assert option_strings(['a=1']) == ('a=1', ) and option_strings(None) == ()
    (tmp_path / 'd' / 'VOCdevkit' / 'VOC2012').mkdir(parents=True)
    argv = ['--work-dir', str(tmp_path / 'w'), '--data-root',
            str(tmp_path / 'd')]
    typed, _ = make_context(dict(
        pipeline_args(argv), attention_cfg_options={
            'train_cfg.max_iters': 5, 'model.test_cfg.scales': [1, 2]}))
    typed_line, _ = make_context(pipeline_args(
        argv + ['--attention-cfg-options', 'train_cfg.max_iters=5',
                'model.test_cfg.scales=[1,2]']))
    assert typed.settings() == typed_line.settings()
    assert typed.attention_options() == typed_line.attention_options()
    assert typed.attention_options()['model.test_cfg.scales'] == [1, 2]
