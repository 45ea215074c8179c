"""One run per work dir: an OS lock that dies with the process holding it.

Every tool that writes into a work dir (``tools/train.py``,
``tools/infer_attention.py``, ``tools/make_proxy_labels.py``,
``tools/make_standin.py``, ``tools/pipeline.py``) holds a ``flock`` on the
directory itself while it runs. The lock is the kernel's: it writes no file,
and a killed run leaves nothing that blocks the next one. A second run is told
the PID of the holder, read from ``/proc/locks`` where the system has it.

A lock is exclusive, or shared (``--compare`` holds the pipeline's work dir
shared, so that runs of separate modes go side by side, and each mode and
seed dir exclusive). One process may take the same dir again (nested
calls); forked children inherit the lock with the open descriptor. In a
distributed run only rank 0 takes it.
"""
from __future__ import annotations

import contextlib
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional

try:
    import fcntl
except ImportError:  # no flock on this system: runs are not guarded
    fcntl = None  # type: ignore[assignment]

# real path -> [fd, shared, count] of the locks this process holds
_HELD: Dict[str, List] = {}


class WorkDirBusyError(FileExistsError):
    """The work dir is locked by another run.

    Attributes:
        work_dir: the dir.
        pid: the PID recorded by the holder (None if unreadable).
    """

    def __init__(self, work_dir: str, pid: Optional[int]) -> None:
        self.work_dir = work_dir
        self.pid = pid
        holder = f' (PID {pid})' if pid else ''
        super().__init__(
            f'work dir {work_dir} is in use by another run{holder}; wait '
            'until it ends, or use another work dir')


def _rank() -> int:
    for key in ('RANK', 'SLURM_PROCID'):
        if os.environ.get(key, '').isdigit():
            return int(os.environ[key])
    return 0


def holder_pids(work_dir: str) -> List[int]:
    """The PIDs holding a ``flock`` on ``work_dir``, from ``/proc/locks``
    (empty where the system has no such file)."""
    try:
        st = os.stat(work_dir)
        with open('/proc/locks') as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    device = (os.major(st.st_dev), os.minor(st.st_dev))
    pids = []
    for line in lines:
        # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:2148658 0 EOF"; waiters
        # have "->" after the number
        parts = line.split()
        if len(parts) < 6 or parts[1] != 'FLOCK':
            continue
        try:
            major, minor, inode = parts[5].split(':')
            found = (int(major, 16), int(minor, 16)), int(inode)
            pid = int(parts[4])
        except ValueError:
            continue
        if found == (device, st.st_ino) and pid not in pids:
            pids.append(pid)
    return pids


def acquire(work_dir: str, shared: bool = False, wait: bool = False
            ) -> bool:
    """Lock ``work_dir`` (created if missing) for this process; with
    ``wait``, wait for a holder to end instead of raising.

    Returns:
        True if this call took the lock (release it with :func:`release`),
        False if nothing was taken (a rank other than 0, no ``flock``).

    Raises:
        WorkDirBusyError: another process holds it (exclusively, or shared
            where ``shared`` is False); nothing has been written then.
    """
    os.makedirs(work_dir, exist_ok=True)
    if fcntl is None or _rank() != 0:
        return False
    real = osp.realpath(work_dir)
    held = _HELD.get(real)
    if held is not None:
        if held[1] and not shared:  # shared before, exclusive now
            _lock(held[0], real, False, wait)
            held[1] = False
        held[2] += 1
        return True
    fd = os.open(real, os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    try:
        _lock(fd, work_dir, shared, wait)
    except BaseException:
        os.close(fd)
        raise
    _HELD[real] = [fd, shared, 1]
    return True


def _lock(fd: int, work_dir: str, shared: bool, wait: bool = False) -> None:
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
    except BlockingIOError:
        others = [p for p in holder_pids(work_dir) if p != os.getpid()]
        raise WorkDirBusyError(work_dir, others[0] if others else None) \
            from None


def release(work_dir: str) -> None:
    """Undo one :func:`acquire` of ``work_dir`` by this process."""
    real = osp.realpath(work_dir)
    held = _HELD.get(real)
    if held is None:
        return
    held[2] -= 1
    if held[2] == 0:
        del _HELD[real]
        os.close(held[0])  # closing the last descriptor drops the lock


@contextlib.contextmanager
def work_dir_lock(work_dir: str, shared: bool = False, wait: bool = False
                  ) -> Iterator[None]:
    """Hold the lock of ``work_dir`` for the ``with`` block (see
    :func:`acquire`)."""
    taken = acquire(work_dir, shared, wait)
    try:
        yield
    finally:
        if taken:
            release(work_dir)


@contextlib.contextmanager
def waiting_lock(path: str) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` for the ``with`` block,
    waiting for it: for short read-modify-write sections that runs sharing
    a work dir take in turn (``--compare``'s state file)."""
    if fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


__all__ = ['WorkDirBusyError', 'holder_pids', 'acquire', 'release',
           'work_dir_lock', 'waiting_lock']
