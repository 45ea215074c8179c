"""The tests' ``run_tool``, in a fork of the tool server
(``tool_server.py``) as in a fresh ``python script.py``, gives separate
output streams, the exit code, the environment and working directory asked
for, and a kill of the tool with what it started when it runs past its
timeout."""
import os
import subprocess
import sys
import time

import pytest

from conftest import run_tool

SCRIPT = '''import os, sys
print('out', os.getcwd(), os.environ.get('SEENET_TEST_VALUE'))
print('err', sys.argv[1:], file=sys.stderr)
import torch
print('threads', torch.get_num_threads())
sys.exit(int(sys.argv[1]))
'''


@pytest.mark.parametrize('fresh', [False, True])
def test_streams_exit_code_env_and_cwd(tmp_path, fresh):
    script = tmp_path / 'tool.py'
    script.write_text(SCRIPT)
    env = dict(SEENET_TEST_VALUE='42', OMP_NUM_THREADS='1')
    proc = run_tool([str(script), '3'], cwd=str(tmp_path), env=env,
                    check=False, fresh=fresh)
    assert proc.returncode == 3
    assert proc.stdout == f'out {tmp_path} 42\nthreads 1\n'
    assert proc.stderr == "err ['3']\n"
    proc = run_tool([str(script), '0'], cwd=str(tmp_path), fresh=fresh)
    assert proc.returncode == 0 and 'out' in proc.stdout
    with pytest.raises(AssertionError, match='failed \\(5\\)'):
        run_tool([str(script), '5'], cwd=str(tmp_path), fresh=fresh)


def test_only_our_tools_are_forked_by_default(tmp_path):
    """A script outside this repository's tools/ (mmseg's own tools) runs in
    a fresh interpreter, a child of this process, unless asked otherwise."""
    script = tmp_path / 'pid.py'
    script.write_text('import os\nprint(os.getppid())\n')
    assert int(run_tool([str(script)], cwd=str(tmp_path)).stdout) == \
        os.getpid()


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (an orphan's zombie, not reaped yet where no
    init process reaps, counts as ended)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='reads /proc')
@pytest.mark.parametrize('fresh', [False, True])
def test_timeout_kills_the_tool_and_its_children(tmp_path, fresh):
    pid_file = tmp_path / 'child.pid'
    script = tmp_path / 'hang.py'
    script.write_text(
        'import subprocess, sys, time\n'
        'child = subprocess.Popen([sys.executable, "-c", '
        '"import time; time.sleep(600)"])\n'
        f'open({str(pid_file)!r}, "w").write(str(child.pid))\n'
        'time.sleep(600)\n')
    start = time.time()
    with pytest.raises(subprocess.TimeoutExpired):
        run_tool([str(script)], cwd=str(tmp_path), timeout=3, fresh=fresh)
    assert time.time() - start < 60
    time.sleep(0.5)
    assert not alive(int(pid_file.read_text()))
    # the server is in step for the next run
    ok = tmp_path / 'ok.py'
    ok.write_text('print("ok")\n')
    assert run_tool([str(ok)], cwd=str(tmp_path),
                    fresh=fresh).stdout == 'ok\n'
