"""The main job: run the stages that exist, each through its own tool.

    python tools/pipeline.py [--data-root DIR] [--work-dir DIR] [--from STAGE]

With no arguments it writes the synthetic toy set into the work dir and runs
every stage on it:

    data            tools/make_toy_dataset.py      (skipped with --data-root)
    attention       tools/train.py SEENET_CONFIG   (SeeNet, resumable)
    attention_test  tools/test.py SEENET_CONFIG CKPT   (val multi-label mAP)
    maps            tools/infer_attention.py       (train split, resumable)
    labels          tools/make_proxy_labels.py     (resumable)
    quality         tools/eval_seeds.py            (seed and label mIoU)
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
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
STAGES = ('data', 'attention', 'attention_test', 'maps', 'labels',
          'quality', 'gallery', 'segmentation', 'segmentation_test')
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
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='training seeds for --compare (differences '
                        'between modes on small data can be smaller than '
                        'the spread between seeds)')
    parser.add_argument('--preset', choices=sorted(PRESETS), default=None,
                        help='configs to use (default: toy without '
                        '--data-root, voc with it)')
    return parser.parse_args()


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


MODE_SUFFIX = {'cam': '_cam', 'acol': '_acol', 'seenet-noflip': '_noflip',
               'seenet': ''}


def compare(args, state, save_state, work, voc, sal_dir, gt_dir, preset,
            log_path) -> None:
    """The attention chain per mode and seed; a table like Table 1."""
    py = sys.executable
    base_cfg = PRESETS[preset][0]
    rows = []
    for mode, suffix in MODE_SUFFIX.items():
        cfg_path = base_cfg[:-3] + suffix + '.py'
        for seed in args.seeds:
            key = f'compare/{mode}/seed{seed}'
            out = osp.join(work, 'compare', mode, f'seed{seed}')
            if key not in state:
                print(f'[compare {mode} seed {seed}]', flush=True)
                start = time.time()
                opts = data_options(voc) + [f'randomness.seed={seed}']
                run([py, 'tools/train.py', cfg_path, '--work-dir',
                     osp.join(out, 'attention'), '--resume', '--cfg-options']
                    + opts, log_path)
                with open(osp.join(out, 'attention', 'last_checkpoint')) as f:
                    ckpt = f.read().strip()
                run([py, 'tools/test.py', cfg_path, ckpt, '--work-dir',
                     osp.join(out, 'attention_test'), '--cfg-options'] +
                    data_options(voc), log_path)
                cls = latest_test_metrics(osp.join(out, 'attention_test'))
                run([py, 'tools/infer_attention.py', cfg_path, ckpt,
                     '--out-dir', osp.join(out, 'maps'), '--data-root', voc],
                    log_path)
                run([py, 'tools/make_proxy_labels.py', '--attention-dir',
                     osp.join(out, 'maps'), '--saliency-dir', sal_dir,
                     '--out-dir', osp.join(out, 'labels')], log_path)
                qpath = osp.join(out, 'quality.json')
                run([py, 'tools/eval_seeds.py', '--attention-dir',
                     osp.join(out, 'maps'), '--label-dir',
                     osp.join(out, 'labels'), '--gt-dir', gt_dir, '--out',
                     qpath], log_path)
                with open(qpath) as f:
                    q = json.load(f)
                state[key] = dict(
                    seconds=time.time() - start, mAP=cls.get('cls/mAP'),
                    seed_mIoU=q['seeds']['best']['mIoU'],
                    best_thr=q['seeds']['best_threshold'],
                    at_edge=q['seeds']['best_at_edge'],
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
        for mode in MODE_SUFFIX:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(f'| {mode} | '
                         f'{sum(r["seed_mIoU"] for r in rs) / len(rs):.1f} | '
                         f'{sum(r["label_mIoU"] for r in rs) / len(rs):.1f} |')
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
    seenet_cfg, seg_cfg = PRESETS[preset]
    seg_dir = osp.join(work, 'segmentation')
    train_dir = osp.join(work, 'attention')
    test_dir = osp.join(work, 'attention_test')
    att_dir, label_dir = osp.join(work, 'maps'), osp.join(work, 'labels')
    sal_dir = args.saliency_dir or osp.join(voc, 'saliency')
    gt_dir = osp.join(voc, 'SegmentationClass')
    log_path = osp.join(work, 'pipeline.log')

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
        compare(args, state, save_state, work, voc, sal_dir, gt_dir, preset,
                log_path)
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
        elif stage == 'attention':
            run([py, 'tools/train.py', seenet_cfg, '--work-dir', train_dir,
                 '--resume', '--cfg-options'] + data_options(voc), log_path)
            with open(osp.join(train_dir, 'last_checkpoint')) as f:
                info['checkpoint'] = f.read().strip()
        elif stage == 'attention_test':
            run([py, 'tools/test.py', seenet_cfg,
                 state['attention']['checkpoint'], '--work-dir', test_dir,
                 '--cfg-options'] + data_options(voc), log_path)
            info['metrics'] = latest_test_metrics(test_dir)
        elif stage == 'maps':
            run([py, 'tools/infer_attention.py', seenet_cfg,
                 state['attention']['checkpoint'], '--out-dir', att_dir,
                 '--data-root', voc], log_path)
        elif stage == 'labels':
            run([py, 'tools/make_proxy_labels.py', '--attention-dir',
                 att_dir, '--saliency-dir', sal_dir, '--out-dir', label_dir],
                log_path)
        elif stage == 'quality':
            out = osp.join(work, 'quality.json')
            run([py, 'tools/eval_seeds.py', '--attention-dir', att_dir,
                 '--label-dir', label_dir, '--gt-dir', gt_dir, '--out', out],
                log_path)
            with open(out) as f:
                quality = json.load(f)
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
        elif stage == 'segmentation':
            run([py, 'tools/train.py', seg_cfg, '--work-dir', seg_dir,
                 '--resume', '--cfg-options'] + data_options(voc) +
                [f'train_dataloader.dataset.data_prefix.seg_map_path='
                 f'{label_dir}'], log_path)
            with open(osp.join(seg_dir, 'last_checkpoint')) as f:
                info['checkpoint'] = f.read().strip()
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
