"""Val mAP and seed mIoU of toy SeeNet trainings with and without --amp,
over training seeds (the --amp means should lie within the spread between
float32 seeds).

    python tools/analysis_tools/amp_training_accuracy.py --work-dir DIR
        [--seeds 0 1 2] [--jobs N] [--preset toy|toy-context]

Makes the toy set once (DIR/toy, the main job's, seed 0), then runs
``tools/pipeline.py --compare --modes seenet`` for each training seed with
and without ``--amp``, each into DIR/{fp32,amp}/seedS (resumable), N runs at
a time (default: all at once where CUDA is available, else one). Prints a
row per run, mean and sd per precision and, last, the differences of the
means against the float32 range between seeds. On a CPU without native
bfloat16 ``--amp`` trains in float32 (the tools warn), so both rows agree
by construction there. Toy-set figures.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
KEYS = (('mAP', 'val mAP'), ('seed_mIoU', 'seed mIoU'),
        ('label_mIoU', 'proxy-label mIoU'))


def run(cmd: List[str], log: str, threads: int = 0) -> None:
    """Run ``python CMD`` from the repository root into ``log`` (with
    ``threads`` CPU threads when given); exit with the log's end if it
    fails."""
    print('$ ' + ' '.join(cmd) + f'  > {log}', flush=True)
    env = dict(os.environ, **({'OMP_NUM_THREADS': str(threads)}
                              if threads else {}))
    with open(log, 'a') as f:
        rc = subprocess.run([sys.executable, *cmd], cwd=REPO, stdout=f,
                            stderr=subprocess.STDOUT, env=env).returncode
    if rc:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'error: {cmd[0]} failed ({rc}); the end of {log}:'
                         f'\n{tail}')


def one(args: argparse.Namespace, amp: bool, seed: int) -> Dict[str, float]:
    name = 'amp' if amp else 'fp32'
    work = osp.join(args.work_dir, name, f'seed{seed}')
    run(['tools/pipeline.py', '--compare', '--modes', 'seenet', '--seeds',
         str(seed), '--preset', args.preset, '--data-root', args.voc,
         '--work-dir', work, '--amp' if amp else '--no-amp'],
        osp.join(args.work_dir, f'{name}_seed{seed}.log'), args.threads)
    with open(osp.join(work, 'compare.json')) as f:
        row = json.load(f)['rows'][0]
    print(f'done: {"--amp" if amp else "float32"} seed {seed}: ' + ', '.join(
        f'{name} {row[k]:.2f}' for k, name in KEYS), flush=True)
    return {k: row[k] for k, _ in KEYS}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--jobs', type=int, default=None)
    parser.add_argument('--preset', choices=('toy', 'toy-context'),
                        default='toy')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    args.work_dir = osp.abspath(args.work_dir)
    import torch
    device = (torch.cuda.get_device_name(0) if torch.cuda.is_available()
              else 'cpu')
    jobs = args.jobs or (2 * len(args.seeds) if device != 'cpu' else 1)
    # the runs share the cores
    args.threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else 0
    os.makedirs(args.work_dir, exist_ok=True)
    toy = osp.join(args.work_dir, 'toy')
    args.voc = osp.join(toy, 'VOCdevkit', 'VOC2012')
    if not osp.isdir(args.voc):
        run(['tools/make_toy_dataset.py', '--out', toy, '--seed', '0',
             *(['--context'] if args.preset == 'toy-context' else [])],
            osp.join(args.work_dir, 'toy.log'))
    runs = [(amp, s) for amp in (False, True) for s in args.seeds]
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda r: one(args, *r), runs))
    rows = dict(zip(runs, results))
    print(f'\n{args.preset}-set figures, SeeNet, on {device}')
    print('| precision | seed | ' + ' | '.join(n for _, n in KEYS) + ' |')
    print('|---|---|' + '---|' * len(KEYS))
    for (amp, s), r in rows.items():
        print(f'| {"--amp" if amp else "float32"} | {s} | '
              + ' | '.join(f'{r[k]:.2f}' for k, _ in KEYS) + ' |')
    stats = {}
    for amp in (False, True):
        for k, _ in KEYS:
            v = [rows[(amp, s)][k] for s in args.seeds]
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            stats[(amp, k)] = (statistics.mean(v), sd, max(v) - min(v))
        cells = [f'{stats[(amp, k)][0]:.2f} ± {stats[(amp, k)][1]:.2f}'
                 for k, _ in KEYS]
        print(f'| {"--amp" if amp else "float32"} | mean ± sd | '
              + ' | '.join(cells) + ' |')
    parts, ok = [], True
    for k, name in KEYS[:2]:
        diff = stats[(True, k)][0] - stats[(False, k)][0]
        spread = stats[(False, k)][2]
        ok &= abs(diff) <= spread
        parts.append(f'{name} {diff:+.2f} (float32 range {spread:.2f})')
    print(f'--amp minus float32, means over seeds {args.seeds} on {device}: '
          + ', '.join(parts) + f'; within the seed spread: '
          f'{"yes" if ok else "no"}')


if __name__ == '__main__':
    main()
