"""The one loop of the tools that write one file per image (proxy labels,
refined labels): which images, one run per output folder, the images done
before skipped, a pool of workers or a plain loop, a progress bar, and the
count of the images skipped for a missing input.

The tools keep only what differs: the job that makes one image's files and
its summary line."""
from __future__ import annotations

import glob
import os.path as osp
import sys
import time
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable, List, Optional, Sequence, Tuple

from .. import locking
from ..fileio import save_classes
from .image_list import read_names

# a job's status: 'done', another word ('resized'), or 'missing: <why>' for
# an image skipped because an input is missing (--skip-missing)
Status = str


def image_names(attention_dir: str, split: Optional[str] = None
                ) -> List[str]:
    """The images to work on: the names of ``split`` (a list file), else
    every ``<name>.npz`` of ``attention_dir``, sorted."""
    if split:
        return read_names(split)
    return sorted(osp.basename(p)[:-4] for p in glob.glob(
        osp.join(attention_dir, '*.npz')))


@dataclass
class PerImageRun:
    """What one pass over the images did.

    Attributes:
        images: the images asked for.
        before: those done by an earlier run (skipped).
        counts: the jobs of this run by status word (``done``,
            ``resized``, ``missing``, ...).
        missing: the ``missing: ...`` statuses, in the order they came.
        seconds: the time the jobs of this run took.
    """
    images: int
    before: int
    counts: dict = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        """The images this run wrote."""
        return sum(n for word, n in self.counts.items() if word != 'missing')


def for_each_image(names: Sequence[str], job: Callable[[str], Tuple[str,
                                                                  Status]],
                   out_dir: str, *, done: Callable[[str], bool],
                   classes: Optional[Sequence[str]] = None,
                   workers: int = 1, chunksize: Optional[int] = None,
                   start_method: Optional[str] = None,
                   initializer: Optional[Callable] = None,
                   initargs: tuple = (), what: str = 'done',
                   header: str = '') -> PerImageRun:
    """Run ``job(name) -> (name, status)`` for each image of ``names``
    that is not ``done(name)``, holding ``out_dir``'s lock.

    Args:
        names: the images, in order.
        job: makes one image's files (atomically); a module-level function
            (or a partial of one) when ``workers > 1``.
        out_dir: the folder written (locked: one run per folder; created).
        done: whether an image's files exist (written by an earlier run).
        classes: written to ``out_dir/classes.json`` first.
        workers: processes; 1 runs the jobs in this process.
        chunksize: images per task of the pool (default: up to 8, several
            per worker).
        start_method: the pool's (``'fork'``, ``'spawn'``; default:
            multiprocessing's).
        initializer, initargs: run once in each worker.
        what: the word for images done before (``'labelled'``).
        header: the end of the first line (what the run does).

    Prints ``N images, K <what> before<header>``, a progress bar, and a
    warning per skipped image (the first 20). A job's FileNotFoundError or
    ValueError ends the run after a newline (the error's line starts
    clean).
    """
    taken = locking.acquire(out_dir)
    try:
        if classes is not None:
            save_classes(out_dir, list(classes))
        else:
            import os
            os.makedirs(out_dir, exist_ok=True)
        todo = [n for n in names if not done(n)]
        run = PerImageRun(images=len(names), before=len(names) - len(todo))
        print(f'{len(names)} images, {run.before} {what} before{header}',
              flush=True)
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(todo), file=sys.stdout) if todo else None

        def count(status: Status) -> None:
            word = status.split(':')[0]
            run.counts[word] = run.counts.get(word, 0) + 1
            if word == 'missing':
                run.missing.append(status)
            bar.update()

        start = time.perf_counter()
        try:
            if workers > 1 and len(todo) > 1:
                if chunksize is None:
                    chunksize = max(1, min(8, len(todo) // (4 * workers)))
                with get_context(start_method).Pool(
                        workers, initializer=initializer,
                        initargs=initargs) as pool:
                    for _, status in pool.imap_unordered(
                            job, todo, chunksize=chunksize):
                        count(status)
            else:
                for name in todo:
                    count(job(name)[1])
        except (FileNotFoundError, ValueError):
            print(flush=True)  # the error's line after the progress bar
            raise
        run.seconds = time.perf_counter() - start
        if todo:
            print()
        for line in run.missing[:20]:
            print(f'warning: skipped, {line}')
        return run
    finally:
        if taken:
            locking.release(out_dir)
