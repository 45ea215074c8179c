"""Running the table: the main job and ``--compare``, each stage's tools
in this process."""
from __future__ import annotations

import os
import os.path as osp
import shutil
import subprocess
import time
from typing import Dict, List, Mapping, Optional, Sequence

from ..locking import work_dir_lock
from .context import Context, PipelineError, repo_root
from .inprocess import run_isolated
from .reports import compare_row, write_compare, write_report
from .stages import (STAGES, Call, Stage, compare_chain, get_stage,
                     stage_outputs)
from .state import PipelineState


def run_command(cmd: Call, log_path: str) -> None:
    """Run a stage's step, its output going to ``log_path``; raise
    :class:`PipelineError` with the log's tail when it fails.

    The step's command line is printed first (a user reruns the step with
    it). Its function runs in this process
    (:func:`seenet_mm.pipeline.inprocess.isolated`: as a fresh process
    would, the imports done once); a step without one runs its tool as a
    subprocess from the repository root. The main job starts no
    distributed run, the one kind that needs processes of its own."""
    root = repo_root()
    argv = cmd.argv()
    print('  $ ' + ' '.join(osp.relpath(c, root) if c.startswith(root) else c
                            for c in argv), flush=True)
    if cmd.func is not None:
        returncode = run_isolated(cmd, log_path)
    else:
        with open(log_path, 'a') as log:
            returncode = subprocess.run(argv, cwd=root, stdout=log,
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
    line = stage.announce(ctx) if stage.announce else None
    if line:
        print(line, flush=True)
    if stage.prepare:
        stage.prepare(ctx)
    for cmd in stage.commands(ctx, done):
        run_command(cmd, ctx.log_path)
    info = stage.record(ctx, done)
    if stage.metrics:
        info['metrics'] = stage.metrics(ctx)
    info['seconds'] = time.time() - start
    return info


def clear_outputs(names: Sequence[str], ctx: Context) -> List[str]:
    """Remove what the stages ``names`` wrote (:func:`stage_outputs`), so
    that their tools, which resume from what they find, redo them; returns
    the paths removed."""
    removed = []
    for name in names:
        for path in stage_outputs(name, ctx):
            if osp.isdir(path) and not osp.islink(path):
                shutil.rmtree(path)
            elif osp.lexists(path):
                os.remove(path)
            else:
                continue
            removed.append(path)
    return removed


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


# ----------------------------------------------------------------------
# the main job
# ----------------------------------------------------------------------
def run_main(ctx: Context, state: PipelineState, preset: str,
             stages: Sequence[Stage] = STAGES) -> dict:
    """Every stage of ``stages``, then ``report.json`` / ``report.md``."""
    run_stages(stages, ctx, state)
    return write_report(ctx, state, preset, stages)


# ----------------------------------------------------------------------
# --compare: the attention chain per mode and seed
# ----------------------------------------------------------------------
def compare_key(mode: str, seed: int) -> str:
    return f'compare/{mode}/seed{seed}'


def run_compare(ctx: Context, state: PipelineState, modes: Sequence[str],
                seeds: Sequence[int], stages: Sequence[Stage] = STAGES,
                chain: Optional[Sequence[str]] = None) -> dict:
    """The data and stand-in stages, then the ``chain`` stages of the table
    (default :func:`~.stages.compare_chain`: the attention chain, and the
    refinement where the labels are refined) for each mode
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
    if chain is None:  # whether labels are refined: known once data exists
        chain = compare_chain(ctx)
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
