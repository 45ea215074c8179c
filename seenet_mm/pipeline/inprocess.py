"""Running a stage's step in this process as if it ran in a process of its
own (one interpreter for the whole job, the imports done once). What a
step leaves behind in a process is undone after it:

- its output (``sys.stdout``, ``sys.stderr``, and with them the stream
  handlers of the loggers it makes) goes to the log, and the streams are
  restored; output written below Python, to descriptors 1 and 2, stays the
  caller's;
- the environment, the working directory, the warning filters and
  torch's thread count are restored;
- mmengine's global instances made during the run are removed: each
  Runner's logger (its handlers closed), message hub, default scope and
  visualizer, so that the next run's names and log files are its own;
- the worker processes of its DataLoaders are stopped;
- CUDA's cached memory is released.

A process boundary is still needed where the process itself is what runs:
distributed runs (``tools/dist_train.sh`` starts one process per GPU), a
pool that forks workers (the refinement), and a kill that must end a run.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import os
import sys
import traceback
import warnings
from typing import Callable, Dict, Iterator, List, Optional

_runs = itertools.count()


def _manager_classes() -> List[type]:
    """mmengine's classes with global named instances (``ManagerMixin``:
    MMLogger, MessageHub, DefaultScope, the visualizers), each with its own
    instance table."""
    from mmengine.utils import ManagerMixin
    found, todo = [], [ManagerMixin]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if '_instance_dict' in vars(cls):
            found.append(cls)
    return found


def _close_logger(logger) -> None:
    for handler in list(logger.handlers):
        with contextlib.suppress(Exception):
            handler.flush()
            handler.close()
        logger.removeHandler(handler)


@contextlib.contextmanager
def _instances_removed_after() -> Iterator[None]:
    before: Dict[type, set] = {cls: set(cls._instance_dict)
                               for cls in _manager_classes()}
    try:
        yield
    finally:
        from mmengine.logging import MMLogger
        for cls in _manager_classes():
            table = cls._instance_dict
            for name in [n for n in table if n not in before.get(cls, ())]:
                instance = table.pop(name)
                if isinstance(instance, MMLogger):
                    _close_logger(instance)


def _loader_iterators() -> List[object]:
    """torch's multi-process DataLoader iterators alive in this process."""
    from torch.utils.data.dataloader import _MultiProcessingDataLoaderIter
    # type(), not isinstance(): some objects warn when asked their class
    return [o for o in gc.get_objects()
            if issubclass(type(o), _MultiProcessingDataLoaderIter)]


@contextlib.contextmanager
def _loader_workers_stopped_after() -> Iterator[None]:
    """Stop the worker processes of the DataLoaders a run left behind.

    A process's exit would end them. Here the loaders are garbage in
    reference cycles (runner, loops, hooks), and when the garbage collector
    breaks such a cycle it may close a loader's index queues before the
    loader's own shutdown sends its workers the stop signal: each worker then
    waits out torch's 5 s timeout before it is killed. Stopping them while
    the loaders are whole takes milliseconds."""
    before = {id(o) for o in _loader_iterators()}
    try:
        yield
    finally:
        for it in _loader_iterators():
            if id(it) not in before:
                it.__del__()  # its own shutdown, once (a second is a no-op)


@contextlib.contextmanager
def _output_to(stdout_path: str, stderr_path: Optional[str]) -> Iterator:
    """``sys.stdout`` and ``sys.stderr`` on the files (appended to, line
    buffered), restored after. The run's loggers are made inside, so their
    stream handlers write there too; descriptors 1 and 2 stay the
    caller's."""
    files = [open(stdout_path, 'a', buffering=1)]
    files.append(open(stderr_path, 'a', buffering=1) if stderr_path
                 else files[0])
    try:
        with contextlib.redirect_stdout(files[0]), \
                contextlib.redirect_stderr(files[1]):
            yield
    finally:
        for f in set(files):
            f.close()


@contextlib.contextmanager
def _process_state() -> Iterator[None]:
    import torch
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_filters = list(warnings.filters)
    threads = torch.get_num_threads()
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        warnings.filters[:] = saved_filters
        torch.set_num_threads(threads)
        gc.collect()
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            torch.cuda.empty_cache()


@contextlib.contextmanager
def isolated(stdout_path: str, stderr_path: Optional[str] = None
             ) -> Iterator[None]:
    """Run the body as a process of its own would run: its output to
    ``stdout_path`` (and ``stderr_path``; None: the same file), and what it
    leaves behind undone after it (the module's docstring)."""
    with _process_state(), _instances_removed_after(), \
            _loader_workers_stopped_after(), \
            _output_to(stdout_path, stderr_path):
        from mmengine.logging import MMLogger
        # a logger of this run: print_log(logger='current') before a
        # Runner makes its own writes to this run's output
        MMLogger.get_instance(f'seenet_tool_{next(_runs)}')
        yield


def exit_code(func: Callable[[], object]) -> int:
    """Call ``func``; return its exit code as a process's would be: 0 when
    it returned; a ``SystemExit``'s code (a message: printed, 1); 1 after
    any other exception, whose traceback goes to the error output."""
    try:
        func()
    except SystemExit as err:
        if err.code is None or isinstance(err.code, int):
            return err.code or 0
        print(err.code, file=sys.stderr)
        return 1
    except BaseException as err:  # noqa: B902 -- reported as a process
        if isinstance(err, KeyboardInterrupt):
            raise
        traceback.print_exc()
        return 1
    return 0


def run_isolated(func: Callable[[], object], stdout_path: str) -> int:
    """Call a stage's step ``func`` (a :class:`~.stages.Call`) in this
    process as in its own; a bad input ends in one ``error:`` line, as the
    tool's would (:func:`seenet_mm.cli.cli_main`). Returns the exit
    code."""
    from ..cli import cli_main
    with isolated(stdout_path):
        return exit_code(lambda: cli_main(func))


__all__ = ['isolated', 'exit_code', 'run_isolated']
