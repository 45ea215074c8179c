"""The main job: run the stages that exist, each through its own tool.

    python tools/pipeline.py [--data-root DIR] [--work-dir DIR] [--from STAGE]

With no arguments it writes the synthetic toy set into the work dir and runs
every stage on it:

    data            tools/make_toy_dataset.py      (skipped with --data-root)
    attention       tools/train.py SEENET_CONFIG   (SeeNet, resumable)
    attention_test  tools/test.py SEENET_CONFIG CKPT   (val multi-label mAP)
    maps            tools/infer_attention.py       (train split, resumable)
    labels          tools/make_proxy_labels.py     (resumable)
    quality         tools/eval_seeds.py            (seed and label mIoU on
                                                    the train split's masks)
    gallery         tools/make_gallery.py
    segmentation    tools/train.py LARGEFOV_CONFIG (on the proxy labels)
    segmentation_test  tools/test.py: single scale, --tta, --crf (val mIoU)

A finished stage is skipped on rerun; a killed training resumes from its
last checkpoint (mmengine replays the data order, so the results equal an
uninterrupted run's).

With --compare it runs, instead, the attention chain (training, val mAP,
maps, proxy labels, quality) for each mode of the paper's Table 1 (cam,
acol, seenet-noflip, seenet) and each --seeds value, and reports them side
by side in compare.md / compare.json. The final table is printed and written to
``report.json`` / ``report.md`` in the work dir.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List, Optional

# the paper's Table 1 settings, as values of the classifier's ``mode``
MODES = ('cam', 'acol', 'seenet-noflip', 'seenet')
REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
STAGES = ('data', 'attention', 'attention_test', 'maps', 'labels',
          'quality', 'gallery', 'segmentation', 'segmentation_test')
# the stages whose outputs each stage reads
DEPENDS = {
    'attention': ('data',), 'attention_test': ('attention',),
    'maps': ('attention',), 'labels': ('maps',),
    'quality': ('maps', 'labels'), 'gallery': ('attention', 'maps', 'labels'),
    'segmentation': ('labels',), 'segmentation_test': ('segmentation',),
}
# (attention config, segmentation config) of each preset
PRESETS = {
    'toy': (osp.join(REPO, 'configs', 'toy', 'seenet_vgg16_toy.py'),
            osp.join(REPO, 'configs', 'toy', 'deeplab-largefov_vgg16_toy.py')),
    'voc': (osp.join(REPO, 'configs', 'seenet', 'vgg16_voc.py'),
            osp.join(REPO, 'configs', 'deeplab_largefov',
                     'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py')),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root',
                        help='folder holding VOCdevkit/VOC2012 (default: '
                        'generate the toy set into the work dir)')
    parser.add_argument('--work-dir', default='work_dirs/pipeline')
    parser.add_argument('--from', dest='start', choices=STAGES,
                        help='rerun from this stage on')
    parser.add_argument('--saliency-dir', help='saliency maps (default: '
                        'VOCdevkit/VOC2012/saliency)')
    parser.add_argument('--seed', type=int, default=0, help='toy set seed')
    parser.add_argument('--compare', action='store_true',
                        help='attention chain for cam, acol, seenet-noflip '
                        'and seenet, side by side')
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES), help='modes for --compare')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='training seeds for --compare (differences '
                        'between modes on small data can be smaller than '
                        'the spread between seeds)')
    parser.add_argument('--thresholds', type=float, nargs='+', default=None,
                        help='background thresholds of the seed sweep '
                        '(default: tools/eval_seeds.py\'s 0.05 ... 0.60; '
                        'erasing widens maps, so its best may lie above)')
    parser.add_argument('--preset', choices=sorted(PRESETS), default=None,
                        help='configs to use (default: toy without '
                        '--data-root, voc with it)')
    parser.add_argument('--attention-config',
                        help='attention config (default: the preset\'s)')
    parser.add_argument('--segmentation-config',
                        help='segmentation config (default: the preset\'s)')
    return parser.parse_args()


def dependents(stage: str) -> List[str]:
    """``stage`` and every stage that reads its outputs, directly or not,
    in pipeline order."""
    out = {stage}
    for s in STAGES:  # STAGES is in dependency order
        if any(d in out for d in DEPENDS.get(s, ())):
            out.add(s)
    return [s for s in STAGES if s in out]


def missing_outputs(info: dict) -> Optional[str]:
    """Why a finished stage's recorded outputs are no longer complete, or
    None. ``info['paths']``: files or folders that must exist;
    ``info['files']``: ``[folder, suffix, count]``."""
    for path in info.get('paths', []):
        if not osp.exists(path):
            return f'{path} is missing'
    if 'files' in info:
        folder, suffix, count = info['files']
        n = count_files(folder, suffix)[2]
        if n < count:
            return f'{folder} holds {n} of its {count} {suffix} files'
    return None


def count_files(folder: str, suffix: str) -> List[object]:
    """``[folder, suffix, number of *suffix files in folder]``."""
    return [folder, suffix,
            len(glob.glob(osp.join(glob.escape(folder), '*' + suffix)))]


def run(cmd: List[str], log_path: str) -> None:
    """Run a tool, its output going to ``log_path``; fail loudly."""
    print('  $ ' + ' '.join(osp.relpath(c, REPO) if c.startswith(REPO) else c
                            for c in cmd), flush=True)
    with open(log_path, 'a') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        sys.exit(f'stage failed ({proc.returncode}); log: {log_path}\n{tail}')


def data_options(voc: str) -> List[str]:
    return [f'{key}.dataset.data_root={voc}' for key in
            ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def latest_test_metrics(test_dir: str) -> Dict[str, float]:
    """Metrics mmengine's logger dumped for the latest test run."""
    runs = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not runs:
        raise FileNotFoundError(f'no test results under {test_dir}')
    with open(runs[-1]) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return {k: v for k, v in lines[-1].items()
            if k in ('aAcc', 'mIoU', 'mAcc', 'cls/mAP')}


def threshold_options(args: argparse.Namespace) -> List[str]:
    if not args.thresholds:
        return []
    return ['--thresholds'] + [str(t) for t in args.thresholds]


def compare(args, state, save_state, work, voc, sal_dir, gt_dir, cfg_path,
            log_path) -> None:
    """The attention chain per mode and seed; a table like Table 1.

    Each mode trains ``cfg_path`` with ``model.mode`` overridden, which is
    what the ``*_cam`` / ``*_acol`` / ``*_noflip`` sibling configs do.
    """
    py = sys.executable
    rows = []
    for mode in args.modes:
        mode_opt = [f'model.mode={mode}']
        for seed in args.seeds:
            key = f'compare/{mode}/seed{seed}'
            out = osp.join(work, 'compare', mode, f'seed{seed}')
            if key not in state:
                print(f'[compare {mode} seed {seed}]', flush=True)
                start = time.time()
                opts = (data_options(voc) + mode_opt +
                        [f'randomness.seed={seed}'])
                run([py, 'tools/train.py', cfg_path, '--work-dir',
                     osp.join(out, 'attention'), '--resume', '--cfg-options']
                    + opts, log_path)
                with open(osp.join(out, 'attention', 'last_checkpoint')) as f:
                    ckpt = f.read().strip()
                run([py, 'tools/test.py', cfg_path, ckpt, '--work-dir',
                     osp.join(out, 'attention_test'), '--cfg-options'] +
                    data_options(voc) + mode_opt, log_path)
                cls = latest_test_metrics(osp.join(out, 'attention_test'))
                run([py, 'tools/infer_attention.py', cfg_path, ckpt,
                     '--out-dir', osp.join(out, 'maps'), '--data-root', voc,
                     '--cfg-options'] + mode_opt, log_path)
                run([py, 'tools/make_proxy_labels.py', '--attention-dir',
                     osp.join(out, 'maps'), '--saliency-dir', sal_dir,
                     '--out-dir', osp.join(out, 'labels')], log_path)
                qpath = osp.join(out, 'quality.json')
                run([py, 'tools/eval_seeds.py', '--attention-dir',
                     osp.join(out, 'maps'), '--label-dir',
                     osp.join(out, 'labels'), '--gt-dir', gt_dir, '--out',
                     qpath] + args.quality_split + threshold_options(args),
                    log_path)
                with open(qpath) as f:
                    q = json.load(f)
                state[key] = dict(
                    seconds=time.time() - start, mAP=cls.get('cls/mAP'),
                    seed_mIoU=q['seeds']['best']['mIoU'],
                    best_thr=q['seeds']['best_threshold'],
                    at_edge=q['seeds']['best_at_edge'],
                    sweep=[min(q['seeds']['thresholds']),
                           max(q['seeds']['thresholds'])],
                    label_mIoU=q['labels']['mIoU'])
                save_state()
            rows.append((mode, seed, state[key]))
    lines = ['| mode | seed | val mAP | seed mIoU (best thr) | '
             'proxy-label mIoU | seconds |', '|---|---|---|---|---|---|']
    for mode, seed, r in rows:
        edge = ', at sweep edge' if r['at_edge'] else ''
        lines.append(f'| {mode} | {seed} | {r["mAP"]:.1f} | '
                     f'{r["seed_mIoU"]:.1f} ({r["best_thr"]:.2f}{edge}) | '
                     f'{r["label_mIoU"]:.1f} | {r["seconds"]:.0f} |')
    if len(args.seeds) > 1:
        lines += ['', '| mode | mean seed mIoU | mean proxy-label mIoU |',
                  '|---|---|---|']
        for mode in args.modes:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(f'| {mode} | '
                         f'{sum(r["seed_mIoU"] for r in rs) / len(rs):.1f} | '
                         f'{sum(r["label_mIoU"] for r in rs) / len(rs):.1f} |')
    sweeps = sorted({tuple(r['sweep']) for _, _, r in rows if 'sweep' in r})
    lines += ['', 'Seed sweep: ' + '; '.join(f'{lo:.2f} ... {hi:.2f}'
                                             for lo, hi in sweeps)]
    note = ('toy-set figures' if not args.data_root else '')
    with open(osp.join(work, 'compare.json'), 'w') as f:
        json.dump(dict(note=note, rows=[dict(mode=m, seed=sd, **r)
                                        for m, sd, r in rows]), f, indent=1)
    with open(osp.join(work, 'compare.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'written {osp.join(work, "compare.md")}')


def main() -> None:
    args = parse_args()
    work = osp.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    state_path = osp.join(work, 'pipeline_state.json')
    state = json.load(open(state_path)) if osp.isfile(state_path) else {}
    if args.start:
        for stage in STAGES[STAGES.index(args.start):]:
            state.pop(stage, None)
    py = sys.executable
    voc = osp.join(args.data_root or osp.join(work, 'toy'), 'VOCdevkit',
                   'VOC2012')
    preset = args.preset or ('voc' if args.data_root else 'toy')
    seenet_cfg = osp.abspath(args.attention_config or PRESETS[preset][0])
    seg_cfg = osp.abspath(args.segmentation_config or PRESETS[preset][1])
    for cfg in (seenet_cfg, seg_cfg):
        if not osp.isfile(cfg):
            sys.exit(f'error: config {cfg} does not exist')
    seg_dir = osp.join(work, 'segmentation')
    train_dir = osp.join(work, 'attention')
    test_dir = osp.join(work, 'attention_test')
    att_dir, label_dir = osp.join(work, 'maps'), osp.join(work, 'labels')
    sal_dir = args.saliency_dir or osp.join(voc, 'saliency')
    gt_dir = osp.join(voc, 'SegmentationClass')
    # quality is measured on the images with masks: VOC's train split (1,464
    # images), not train_aug (SBD images have no SegmentationClass mask)
    gt_split = osp.join(voc, 'ImageSets', 'Segmentation', 'train.txt')
    args.quality_split = ['--split', gt_split] if osp.isfile(gt_split) \
        else []
    log_path = osp.join(work, 'pipeline.log')
    # a work dir holds the results of one set of inputs
    settings = dict(data_root=voc, saliency_dir=sal_dir,
                    attention_config=seenet_cfg, segmentation_config=seg_cfg,
                    thresholds=args.thresholds, toy_seed=args.seed)
    changed = {k: (v, settings[k]) for k, v in
               state.get('settings', {}).items()
               if k in settings and v != settings[k]}
    if changed and not args.start:
        sys.exit(f'error: {work} holds results made with other settings ('
                 + '; '.join(f'{k}: {a} -> {b}' for k, (a, b) in
                             changed.items())
                 + '); use another --work-dir, or --from STAGE to redo '
                 'the stages from STAGE on with the new settings')
    state['settings'] = settings
    for stage in STAGES:  # finished stages must still have their outputs
        why = missing_outputs(state[stage]) if stage in state else None
        if why:
            redo = [s for s in dependents(stage) if s in state]
            print(f'[{stage}] {why}: rerunning {", ".join(redo)}',
                  flush=True)
            for s in redo:
                state.pop(s)

    def save_state() -> None:
        tmp = state_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, state_path)

    if args.compare:
        if 'data' not in state:
            state['data'] = dict(seconds=0.0)
            if not args.data_root:
                start = time.time()
                run([py, 'tools/make_toy_dataset.py', '--out',
                     osp.join(work, 'toy'), '--seed', str(args.seed)],
                    log_path)
                state['data']['seconds'] = time.time() - start
            save_state()
        compare(args, state, save_state, work, voc, sal_dir, gt_dir,
                seenet_cfg, log_path)
        return

    for stage in STAGES:
        if stage in state:
            print(f'[{stage}] done before ({state[stage]["seconds"]:.0f} s): '
                  'skipped', flush=True)
            continue
        print(f'[{stage}]', flush=True)
        start = time.time()
        info: Dict[str, object] = {}
        if stage == 'data':
            if args.data_root:
                if not osp.isdir(voc):
                    sys.exit(f'--data-root: {voc} does not exist')
            else:
                run([py, 'tools/make_toy_dataset.py', '--out',
                     osp.join(work, 'toy'), '--seed', str(args.seed)],
                    log_path)
            info['paths'] = [osp.join(voc, 'JPEGImages')]
        elif stage == 'attention':
            run([py, 'tools/train.py', seenet_cfg, '--work-dir', train_dir,
                 '--resume', '--cfg-options'] + data_options(voc), log_path)
            with open(osp.join(train_dir, 'last_checkpoint')) as f:
                info['checkpoint'] = f.read().strip()
            info['paths'] = [info['checkpoint']]
        elif stage == 'attention_test':
            run([py, 'tools/test.py', seenet_cfg,
                 state['attention']['checkpoint'], '--work-dir', test_dir,
                 '--cfg-options'] + data_options(voc), log_path)
            info['metrics'] = latest_test_metrics(test_dir)
        elif stage == 'maps':
            run([py, 'tools/infer_attention.py', seenet_cfg,
                 state['attention']['checkpoint'], '--out-dir', att_dir,
                 '--data-root', voc], log_path)
            info['files'] = count_files(att_dir, '.npz')
        elif stage == 'labels':
            run([py, 'tools/make_proxy_labels.py', '--attention-dir',
                 att_dir, '--saliency-dir', sal_dir, '--out-dir', label_dir],
                log_path)
            info['files'] = count_files(label_dir, '.png')
        elif stage == 'quality':
            out = osp.join(work, 'quality.json')
            run([py, 'tools/eval_seeds.py', '--attention-dir', att_dir,
                 '--label-dir', label_dir, '--gt-dir', gt_dir, '--out', out]
                + args.quality_split + threshold_options(args), log_path)
            with open(out) as f:
                quality = json.load(f)
            info['paths'] = [out]
            info['metrics'] = {
                'seed mIoU (best threshold)': quality['seeds']['best']['mIoU'],
                'best threshold': quality['seeds']['best_threshold'],
                'best threshold at sweep edge':
                    quality['seeds']['best_at_edge'],
                'proxy-label mIoU': quality['labels']['mIoU'],
                'proxy-label background spread %':
                    quality['labels']['background_spread'],
            }
        elif stage == 'gallery':
            run([py, 'tools/make_gallery.py', seenet_cfg,
                 state['attention']['checkpoint'], '--attention-dir', att_dir,
                 '--label-dir', label_dir, '--data-root', voc, '--out-dir',
                 osp.join(work, 'gallery')], log_path)
            info['paths'] = [osp.join(work, 'gallery', 'index.md')]
        elif stage == 'segmentation':
            run([py, 'tools/train.py', seg_cfg, '--work-dir', seg_dir,
                 '--resume', '--cfg-options'] + data_options(voc) +
                [f'train_dataloader.dataset.data_prefix.seg_map_path='
                 f'{label_dir}'], log_path)
            with open(osp.join(seg_dir, 'last_checkpoint')) as f:
                info['checkpoint'] = f.read().strip()
            info['paths'] = [info['checkpoint']]
        elif stage == 'segmentation_test':
            info['metrics'] = {}
            for name, flags in (('', []), (' --tta', ['--tta']),
                                (' --crf', ['--crf'])):
                out = osp.join(work, 'segmentation_test' +
                               name.replace(' --', '_'))
                run([py, 'tools/test.py', seg_cfg,
                     state['segmentation']['checkpoint'], '--work-dir', out]
                    + flags + ['--cfg-options'] + data_options(voc),
                    log_path)
                info['metrics'][f'segmentation val mIoU{name}'] = \
                    latest_test_metrics(out)['mIoU']
        info['seconds'] = time.time() - start
        state[stage] = info
        save_state()

    rows = [(s, f'{state[s]["seconds"]:.1f}') for s in STAGES]
    metrics = dict(state['attention_test']['metrics'])
    metrics.update(state['quality']['metrics'])
    metrics.update(state['segmentation_test']['metrics'])
    report = dict(data_root=voc, preset=preset, stages=state,
                  metrics=metrics,
                  note='toy-set figures' if not args.data_root else '')
    with open(osp.join(work, 'report.json'), 'w') as f:
        json.dump(report, f, indent=1)
    lines = ['| stage | seconds |', '|---|---|']
    lines += [f'| {s} | {t} |' for s, t in rows]
    lines += ['', '| metric | value |', '|---|---|']
    lines += [f'| {k} | {v:.2f} |' if isinstance(v, float) else
              f'| {k} | {v} |' for k, v in metrics.items()]
    with open(osp.join(work, 'report.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'report: {osp.join(work, "report.md")}; gallery: '
          f'{osp.join(work, "gallery", "index.md")}')


if __name__ == '__main__':
    main()
