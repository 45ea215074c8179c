"""One run per work dir: the flock of seenet_mm.locking, held by real
second processes, dies with a killed holder, and is taken by rank 0 only;
the tools and the main job refuse a busy work dir before they write."""
import os
import os.path as osp
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import REPO, run_tool
from seenet_mm import locking

# a holder process that loads locking.py alone (no stack import: fast)
HOLDER = textwrap.dedent('''
    import importlib.util, sys, time
    spec = importlib.util.spec_from_file_location('locking', sys.argv[1])
    locking = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(locking)
    try:
        locking.acquire(sys.argv[2], shared=sys.argv[3] == 'shared')
    except locking.WorkDirBusyError as err:
        print('busy', err, flush=True)
        sys.exit(3)
    print('locked', flush=True)
    time.sleep(600)
''')


def hold(work_dir, shared=False):
    """A process holding ``work_dir``'s lock, started and locked."""
    proc = subprocess.Popen(
        [sys.executable, '-c', HOLDER,
         osp.join(REPO, 'seenet_mm', 'locking.py'), str(work_dir),
         'shared' if shared else 'exclusive'],
        stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()
    if not line.startswith('locked'):
        proc.wait(10)
        raise AssertionError(f'holder could not lock: {line}')
    return proc


def stop(proc):
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_second_process_is_refused_naming_dir_and_pid(tmp_path):
    work = tmp_path / 'work'
    holder = hold(work)
    try:
        with pytest.raises(locking.WorkDirBusyError) as info:
            locking.acquire(str(work))
        assert str(work) in str(info.value)
        assert f'PID {holder.pid}' in str(info.value)
        assert info.value.pid == holder.pid
        assert isinstance(info.value, FileExistsError)  # one line in tools
    finally:
        stop(holder)


def test_a_waiting_run_takes_the_lock_when_the_holder_ends(tmp_path):
    """``wait=True`` (the main job's stand-in stage) waits for the holder
    instead of refusing, and takes the lock once it is gone."""
    import threading
    work = tmp_path / 'work'
    holder = hold(work)
    threading.Timer(1.0, stop, [holder]).start()
    start = time.time()
    with locking.work_dir_lock(str(work), wait=True):
        waited = time.time() - start
    assert waited >= 0.9


def test_killed_holder_does_not_block_and_nothing_is_written(tmp_path):
    work = tmp_path / 'work'
    stop(hold(work))
    assert os.listdir(work) == []  # the lock writes no file
    assert locking.acquire(str(work))
    try:
        assert locking.holder_pids(str(work)) == [os.getpid()]
        # the same process may take it again (nested calls)
        with locking.work_dir_lock(str(work)):
            pass
        # still held after the nested block: another process is refused
        proc = subprocess.run(
            [sys.executable, '-c', HOLDER,
             osp.join(REPO, 'seenet_mm', 'locking.py'), str(work), 'x'],
            capture_output=True, text=True, timeout=60)
        assert proc.returncode == 3 and f'PID {os.getpid()}' in proc.stdout
    finally:
        locking.release(str(work))
    stop(hold(work))  # released: another process takes it


def test_shared_holders_exclude_an_exclusive_one(tmp_path):
    work = tmp_path / 'work'
    first = hold(work, shared=True)
    try:
        with locking.work_dir_lock(str(work), shared=True):
            pass  # two shared holders
        with pytest.raises(locking.WorkDirBusyError):
            locking.acquire(str(work))
    finally:
        stop(first)
    exclusive = hold(work)
    try:
        with pytest.raises(locking.WorkDirBusyError):
            locking.acquire(str(work), shared=True)
    finally:
        stop(exclusive)


def test_only_rank_0_locks(tmp_path, monkeypatch):
    monkeypatch.setenv('RANK', '1')
    work = tmp_path / 'work'
    assert locking.acquire(str(work)) is False
    assert osp.isdir(work) and locking.holder_pids(str(work)) == []


def last_line(proc):
    return proc.stderr.strip().splitlines()[-1]


def test_tools_refuse_a_busy_work_dir_before_writing(tiny_seenet, tmp_path):
    from seenet_mm.fileio import save_classes
    config, ckpt, voc = tiny_seenet
    att = tmp_path / 'att'
    att.mkdir()
    save_classes(str(att), ['a', 'b'])
    work = tmp_path / 'busy'
    holder = hold(work)
    try:
        commands = {
            'train.py': ['tools/train.py', config, '--work-dir', str(work)],
            'infer_attention.py': ['tools/infer_attention.py', config, ckpt,
                                   '--out-dir', str(work)],
            'make_proxy_labels.py': [
                'tools/make_proxy_labels.py', '--attention-dir', str(att),
                '--saliency-dir', str(att), '--out-dir', str(work)],
        }
        for name, args in commands.items():
            proc = run_tool(args, check=False)
            assert proc.returncode == 1, (name, proc.stderr[-2000:])
            assert last_line(proc) == (
                f'error: work dir {work} is in use by another run (PID '
                f'{holder.pid}); wait until it ends, or use another work '
                'dir'), name
            assert os.listdir(work) == [], name
    finally:
        stop(holder)


def snapshot(folder):
    return {osp.join(root, f): (os.stat(osp.join(root, f)).st_size,
                                os.stat(osp.join(root, f)).st_mtime_ns)
            for root, _, files in os.walk(folder) for f in files}


def wait_for_lock(work, proc, log, timeout=600):
    deadline = time.time() + timeout
    while locking.holder_pids(str(work)) != [proc.pid]:
        assert proc.poll() is None, open(log).read()[-3000:]
        assert time.time() < deadline, 'the pipeline took no lock'
        time.sleep(0.1)


def start(cmd, log):
    """A real process of ``cmd`` in a session of its own, output to
    ``log``."""
    with open(log, 'w') as out:
        return subprocess.Popen(cmd, cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)


def test_second_main_job_refused_and_killed_one_does_not_block(
        toy_root, tiny_standin, tmp_path):
    work = tmp_path / 'work'
    log = str(tmp_path / 'pipeline.log')
    cmd = [sys.executable, 'tools/pipeline.py', '--data-root', toy_root,
           '--work-dir', str(work)]
    first = start(cmd, log)
    try:
        wait_for_lock(work, first, log)
        os.killpg(first.pid, signal.SIGSTOP)  # its writes would blur ours
        before = snapshot(work)
        proc = run_tool(cmd[1:], check=False)
        assert proc.returncode == 1 and proc.stdout == ''
        assert last_line(proc) == (
            f'error: work dir {work} is in use by another run (PID '
            f'{first.pid}); wait until it ends, or use another work dir')
        assert snapshot(work) == before
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    # the next run after the killed one starts normally and continues
    again = start(cmd, log)
    try:
        wait_for_lock(work, again, log)
    finally:
        os.killpg(again.pid, signal.SIGKILL)
        again.wait()


def test_compare_shares_the_work_dir_and_locks_each_mode_and_seed(
        toy_root, tiny_standin, tmp_path):
    work = tmp_path / 'work'
    shared = hold(work, shared=True)  # a --compare of another mode
    seed_dir = work / 'compare' / 'cam' / 'seed0'
    busy = hold(seed_dir)  # the same mode and seed, running
    try:
        proc = run_tool(['tools/pipeline.py', '--data-root', toy_root,
                         '--work-dir', str(work)], check=False)
        assert proc.returncode == 1
        assert f'error: work dir {work} is in use' in last_line(proc)
        proc = run_tool(['tools/pipeline.py', '--data-root', toy_root,
                         '--work-dir', str(work), '--compare', '--modes',
                         'cam', '--seeds', '0', '--preset', 'toy'],
                        check=False)
        assert proc.returncode == 1
        assert last_line(proc).startswith(
            f'error: work dir {seed_dir} is in use by another run (PID '
            f'{busy.pid})')
        assert not osp.exists(seed_dir / 'attention')
    finally:
        stop(busy)
        stop(shared)
