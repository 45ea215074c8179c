"""Running the table: the main job, ``--compare``, and their reports."""
from __future__ import annotations

import os
import os.path as osp
import runpy
import subprocess
import sys
import time
import traceback
from typing import Dict, List, Mapping, Optional, Sequence

from ..fileio import write_json, write_text
from ..locking import work_dir_lock
from .context import Context, PipelineError, repo_root
from .expected import FLOOR, expected_for
from .stages import (COMPARE_STAGES, STAGES, Stage, get_stage,
                     read_quality)
from .state import PipelineState


def forking() -> bool:
    """Whether the tools run in forks of this process (Linux without a CUDA
    GPU, unless ``SEENET_PIPELINE_FORK=0``) rather than in fresh
    interpreters.

    CUDA is not fork-safe once the driver is initialised, which asking
    torch for the GPUs already does: where CUDA is available the tools run
    as subprocesses (their start-up matters little beside a GPU's)."""
    if not (sys.platform.startswith('linux') and hasattr(os, 'fork') and
            os.environ.get('SEENET_PIPELINE_FORK', '1') != '0'):
        return False
    import torch
    return not torch.cuda.is_available()


_preloaded = False


def preload() -> None:
    """Import, once, what every tool imports (torch, mmengine, mmseg's and
    mmpretrain's models and datasets, seenet_mm), so that each forked tool
    starts with it: a fresh interpreter spends seconds on these imports per
    tool. Nothing is computed: no thread pool exists yet when the tools
    fork."""
    global _preloaded
    if _preloaded:
        return
    import importlib
    for name in ('torch', 'cv2', 'mmengine.runner', 'mmseg.models',
                 'mmseg.datasets', 'mmseg.evaluation', 'mmpretrain.models',
                 'seenet_mm.apis', 'seenet_mm.engine',
                 'seenet_mm.evaluation', 'seenet_mm.visualization'):
        importlib.import_module(name)
    _preloaded = True


def fork_tool(cmd: Sequence[str], cwd: str, stdout_path: str,
              stderr_path: Optional[str] = None,
              env: Optional[Mapping[str, str]] = None,
              new_session: bool = False) -> int:
    """Start ``python tools/X.py ARGS`` (any script path, relative to
    ``cwd``) as ``__main__`` in a fork of this process; return the child's
    pid.

    Args:
        cmd: ``[python, script, *args]``; ``cmd[0]`` is not used.
        cwd: The child's working directory.
        stdout_path: The file the child's output is appended to.
        stderr_path: Where its error output goes; ``None``: ``stdout_path``.
        env: The child's whole environment (``OMP_NUM_THREADS`` in it also
            sets torch's threads, read at import time otherwise); ``None``:
            this process's.
        new_session: Put the child in a session (process group) of its own,
            so that a caller can kill it with everything it started.
    """
    preload()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:  # the child: never returns into the caller
        if new_session:
            os.setsid()
        os.chdir(cwd)
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
            if env.get('OMP_NUM_THREADS', '').isdigit():
                import torch
                torch.set_num_threads(int(env['OMP_NUM_THREADS']))
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for fd, path in ((1, stdout_path), (2, stderr_path or stdout_path)):
            out = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                          0o644)
            os.dup2(out, fd)
            os.close(out)
        # fresh streams on the files (the caller's may be replaced objects,
        # e.g. under pytest's capture)
        sys.stdout = sys.__stdout__ = open(1, 'w', buffering=1,
                                           closefd=False)
        sys.stderr = sys.__stderr__ = open(2, 'w', buffering=1,
                                           closefd=False)
        script = osp.join(cwd, cmd[1])
        sys.argv = [cmd[1], *cmd[2:]]
        sys.path[0] = osp.dirname(script)  # as `python tools/X.py` has it
        runpy.run_path(script, run_name='__main__')
        code = 0
    except SystemExit as err:
        if err.code is None or isinstance(err.code, int):
            code = err.code or 0
        else:
            print(err.code, file=sys.stderr)
    except BaseException:  # noqa: B902 -- reported in the log
        traceback.print_exc()
    finally:
        try:
            _shutdown()
        finally:
            os._exit(code)
    return pid  # pragma: no cover


def _run_forked(cmd: List[str], log_path: str, root: str) -> int:
    """Run ``python tools/X.py ARGS`` in a fork of this process
    (:func:`fork_tool`), with its output going to ``log_path``; return its
    exit code (as a subprocess's: a signal ``-N``)."""
    pid = fork_tool(cmd, root, log_path)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _shutdown() -> None:
    """What the interpreter does at exit, for a forked tool that ends with
    ``os._exit``: join the non-daemon threads and run their exit hooks
    (``concurrent.futures`` shuts its worker processes down there), then
    the ``atexit`` functions (``multiprocessing`` pools, ``weakref``
    finalizers, logging), then flush the output. Without it the workers of
    a pool the tool left open would outlive it."""
    import atexit
    import threading
    for step in (getattr(threading, '_shutdown', None),
                 atexit._run_exitfuncs):
        try:
            if step is not None:
                step()
        except BaseException:  # noqa: B902 -- reported in the log
            traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()


def run_command(cmd: List[str], log_path: str) -> None:
    """Run a tool from the repository root, its output going to
    ``log_path``; raise :class:`PipelineError` with the log's tail when it
    fails.

    ``python tools/X.py`` runs in a fork of this process when
    :func:`forking` (the imports done once, :func:`preload`), else, as any
    other command, as a subprocess."""
    root = repo_root()
    print('  $ ' + ' '.join(osp.relpath(c, root) if c.startswith(root) else c
                            for c in cmd), flush=True)
    if forking() and cmd[0] == sys.executable and len(cmd) > 1 and \
            cmd[1].startswith('tools/') and cmd[1].endswith('.py'):
        returncode = _run_forked(cmd, log_path, root)
    else:
        with open(log_path, 'a') as log:
            returncode = subprocess.run(cmd, cwd=root, stdout=log,
                                        stderr=subprocess.STDOUT).returncode
    if returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise PipelineError(
            f'stage failed ({returncode}); log: {log_path}\n{tail}')


def execute(stage: Stage, ctx: Context, done: Mapping[str, dict]) -> dict:
    """Run ``stage``'s commands; return its info: what it wrote, its
    ``metrics`` and ``seconds``."""
    start = time.time()
    why = stage.check(ctx) if stage.check else None
    if why:
        raise PipelineError(why)
    skipped = stage.skip(ctx) if stage.skip else None
    if skipped:
        print(f'  skipped: {skipped}', flush=True)
        return dict(skipped=skipped, seconds=time.time() - start)
    for cmd in stage.commands(ctx, done):
        run_command(cmd, ctx.log_path)
    info = stage.record(ctx, done)
    if stage.metrics:
        info['metrics'] = stage.metrics(ctx)
    info['seconds'] = time.time() - start
    return info


def run_stages(stages: Sequence[Stage], ctx: Context,
               state: PipelineState) -> None:
    """Run each stage not finished yet, in order, saving the state after
    each; the finished ones are skipped."""
    for stage in stages:
        if stage.name in state:
            print(f'[{stage.name}] done before '
                  f'({state[stage.name]["seconds"]:.0f} s): skipped',
                  flush=True)
            continue
        print(f'[{stage.name}]', flush=True)
        state.finish(stage.name, execute(stage, ctx, state.entries))


PROXY_METHOD_NAMES = {
    'saliency': 'SeeNet Algorithm 1 (attention + saliency)',
    'threshold': 'attention alone, no saliency (IRN thresholds 0.30 / '
                 '0.05, 255 between)'}


def note(ctx: Context) -> str:
    return 'toy-set figures' if not ctx.data_root else ''


# ----------------------------------------------------------------------
# the main job
# ----------------------------------------------------------------------
def run_main(ctx: Context, state: PipelineState, preset: str,
             stages: Sequence[Stage] = STAGES) -> dict:
    """Every stage of ``stages``, then ``report.json`` / ``report.md``."""
    run_stages(stages, ctx, state)
    return write_report(ctx, state, preset, stages)


def report_metrics(state: PipelineState,
                   stages: Sequence[Stage] = STAGES) -> Dict[str, object]:
    """The stages' metrics in one flat dict, in pipeline order."""
    metrics: Dict[str, object] = {}
    for stage in stages:
        metrics.update(state[stage.name].get('metrics', {}))
    return metrics


def metric_table(metrics: Mapping[str, object],
                 expected: Optional[Mapping[str, dict]] = None
                 ) -> List[str]:
    """The metrics as a Markdown table; with ``expected``, a column of the
    expected mean ± std and a line naming the metrics outside their
    tolerance."""
    def fmt(v) -> str:
        return f'{v:.2f}' if isinstance(v, float) else f'{v}'

    if not expected:
        return ['| metric | value |', '|---|---|'] + [
            f'| {k} | {fmt(v)} |' for k, v in metrics.items()]
    lines = ['| metric | value | expected (mean ± std over seeds) |',
             '|---|---|---|']
    for k, v in metrics.items():
        e = expected.get(k)
        cell = '' if e is None else f'{e["mean"]:.2f} ± {e["std"]:.2f}' + (
            '' if e['within'] else ' **outside**')
        lines.append(f'| {k} | {fmt(v)} | {cell} |')
    outside = [k for k, e in expected.items() if not e['within']]
    lines += ['', 'Expected figures: configs/toy/metafile.yaml; a run lies '
              f'within when at most max(2 std, {FLOOR:g} points) from the '
              'mean. ' + (f'Outside: {", ".join(outside)}.' if outside else
                          'Every metric lies within.')]
    return lines


def write_report(ctx: Context, state: PipelineState, preset: str,
                 stages: Sequence[Stage] = STAGES) -> dict:
    """Write, and print, the seconds of each stage and the metrics."""
    metrics = report_metrics(state, stages)
    skipped = {s.name: state[s.name]['skipped'] for s in stages
               if 'skipped' in state[s.name]}
    labels = state['labels'].get('method') if 'labels' in state else None
    report = dict(data_root=ctx.voc, layout=ctx.layout, preset=preset,
                  seconds=sum(state[s.name]['seconds'] for s in stages),
                  classes=list(ctx.classes) if ctx.classes else None,
                  proxy_labels=labels, stages=state.entries,
                  metrics=metrics, skipped=skipped, note=note(ctx))
    expected = expected_for(ctx, preset, metrics)
    if expected is not None:
        report['expected'] = expected
    write_json(osp.join(ctx.work_dir, 'report.json'), report, indent=1)
    lines = ['| stage | seconds |', '|---|---|']
    lines += [f'| {s.name} | {state[s.name]["seconds"]:.1f}'
              + (' (skipped)' if 'skipped' in state[s.name] else '') + ' |'
              for s in stages]
    lines += ['', *metric_table(metrics, expected)]
    if labels:
        lines += ['', f'Proxy labels: {PROXY_METHOD_NAMES[labels]}.']
    lines += [f'Skipped: {name}: {why}' for name, why in skipped.items()]
    total = sum(state[s.name]['seconds'] for s in stages)
    lines += ['', f'Total: {total:.0f} s ({int(total // 60)} min '
              f'{total % 60:.0f} s), the stages\' seconds summed (a stage '
              'finished in an earlier run counts with its own seconds).']
    write_text(osp.join(ctx.work_dir, 'report.md'), '\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'report: {osp.join(ctx.work_dir, "report.md")}; gallery: '
          f'{osp.join(ctx.work_dir, "gallery", "index.md")}')
    return report


# ----------------------------------------------------------------------
# --compare: the attention chain per mode and seed
# ----------------------------------------------------------------------
def compare_key(mode: str, seed: int) -> str:
    return f'compare/{mode}/seed{seed}'


def compare_row(ctx: Context, done: Mapping[str, dict],
                seconds: float) -> dict:
    """One row of the comparison from the finished chain's outputs."""
    q = read_quality(ctx)
    test = done['attention_test']['metrics']
    return dict(
        seconds=seconds, mAP=test.get('cls/mAP'),
        seed_mIoU=q['seeds']['best']['mIoU'],
        best_thr=q['seeds']['best_threshold'],
        at_edge=q['seeds']['best_at_edge'],
        sweep=[min(q['seeds']['thresholds']), max(q['seeds']['thresholds'])],
        label_mIoU=q['labels']['mIoU'],
        context_spread=q['seeds'].get('context_spread'),
        bg_zone_recall=test.get('zone/bg_recall'),
        bg_zone=test.get('zone/bg_zone'),
        context_in_bg_zone=test.get('zone/context_in_bg'))


def run_compare(ctx: Context, state: PipelineState, modes: Sequence[str],
                seeds: Sequence[int], stages: Sequence[Stage] = STAGES,
                chain: Sequence[str] = COMPARE_STAGES) -> dict:
    """The data and stand-in stages, then the ``chain`` stages of the table
    for each mode
    and seed (:meth:`Context.variant`: each mode trained from its own
    config, the ``*_cam`` / ``*_acol`` / ``*_noflip`` siblings of the
    attention config, with the seed overridden); a table like the paper's
    Table 1 in ``compare.md`` / ``compare.json``.

    A finished (mode, seed) is skipped; an unfinished one reruns its chain,
    whose tools resume (training from its last checkpoint, inference and
    labels from the files already written).
    """
    for mode in modes:  # every mode's config exists, before any training
        ctx.variant(mode, seeds[0] if seeds else 0)
    for name in ('data', 'standin'):  # what every mode reads
        stage = get_stage(name, stages)
        with state.shared():  # another --compare may be making it
            if stage.name not in state:
                state.finish(stage.name, execute(stage, ctx, state.entries))
    rows = []
    for mode in modes:
        for seed in seeds:
            key = compare_key(mode, seed)
            sub = ctx.variant(mode, seed)
            # one run per mode and seed; other modes may run side by side
            with work_dir_lock(sub.out_dir):
                with state.shared():  # a run beside this one may have done it
                    finished = key in state
                if not finished:
                    print(f'[compare {mode} seed {seed}]', flush=True)
                    start = time.time()
                    done: Dict[str, dict] = {}
                    for name in chain:
                        done[name] = execute(get_stage(name, stages), sub,
                                             done)
                        if 'skipped' in done[name]:
                            raise PipelineError(
                                f'error: --compare needs the {name} stage: '
                                f'{done[name]["skipped"]}')
                    row = compare_row(sub, done, time.time() - start)
                    with state.shared():
                        state.finish(key, row)
            rows.append((mode, seed, state[key]))
    return write_compare(ctx, rows, modes, seeds)


def write_compare(ctx: Context, rows: Sequence[tuple], modes: Sequence[str],
                  seeds: Sequence[int]) -> dict:
    """Write, and print, ``compare.md`` / ``compare.json`` from
    ``(mode, seed, row)`` tuples."""
    def fmt(v) -> str:
        return '-' if v is None else f'{v:.1f}'

    lines = ['| mode | seed | val mAP | seed mIoU (best thr) | '
             'proxy-label mIoU | context spread % | background-zone recall '
             '% (zone %) | context in the background zone % | seconds |',
             '|---|---|---|---|---|---|---|---|---|']
    for mode, seed, r in rows:
        edge = ', at sweep edge' if r['at_edge'] else ''
        lines.append(f'| {mode} | {seed} | {r["mAP"]:.1f} | '
                     f'{r["seed_mIoU"]:.1f} ({r["best_thr"]:.2f}{edge}) | '
                     f'{r["label_mIoU"]:.1f} | '
                     f'{fmt(r.get("context_spread"))} | '
                     f'{fmt(r.get("bg_zone_recall"))} '
                     f'({fmt(r.get("bg_zone"))}) | '
                     f'{fmt(r.get("context_in_bg_zone"))} | '
                     f'{r["seconds"]:.0f} |')

    def mean(rs, key) -> str:
        vals = [r.get(key) for r in rs]
        vals = [v for v in vals if v is not None]
        return fmt(sum(vals) / len(vals) if vals else None)

    if len(seeds) > 1:
        lines += ['', '| mode | mean seed mIoU | mean proxy-label mIoU | '
                  'mean context spread % | mean background-zone recall % |',
                  '|---|---|---|---|---|']
        for mode in modes:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(f'| {mode} | {mean(rs, "seed_mIoU")} | '
                         f'{mean(rs, "label_mIoU")} | '
                         f'{mean(rs, "context_spread")} | '
                         f'{mean(rs, "bg_zone_recall")} |')
    sweeps = sorted({tuple(r['sweep']) for _, _, r in rows if 'sweep' in r})
    lines += ['', 'Seed sweep: ' + '; '.join(f'{lo:.2f} ... {hi:.2f}'
                                             for lo, hi in sweeps)]
    result = dict(note=note(ctx), rows=[dict(mode=m, seed=sd, **r)
                                        for m, sd, r in rows])
    write_json(osp.join(ctx.work_dir, 'compare.json'), result, indent=1)
    write_text(osp.join(ctx.work_dir, 'compare.md'), '\n'.join(lines) + '\n')
    print('\n'.join(lines))
    print(f'written {osp.join(ctx.work_dir, "compare.md")}')
    return result
