"""A fork server for the tests' ``python tools/X.py`` runs.

A fresh interpreter spends about 6 s importing torch, mmseg and mmpretrain;
the tests run the tools some 60 times. This server imports them once
(:func:`seenet_mm.pipeline.runner.preload`, which computes nothing, so no
thread pool exists when it forks) and runs each tool in a fork of itself,
as the main job does (:func:`seenet_mm.pipeline.runner.fork_tool`). The
pytest process itself is no place to fork from: its tests have run torch's
thread pools by then.

Protocol, one JSON object per line: a request ``{"cmd", "cwd", "env",
"stdout", "stderr"}`` on stdin is answered with ``{"pid": N}`` once the tool
runs, then ``{"rc": N}`` (a signal: ``-N``) when it has ended.
"""
import json
import os
import sys


def reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def main() -> None:
    from seenet_mm.pipeline.runner import fork_tool, preload
    preload()
    reply(dict(ready=True))
    for line in sys.stdin:
        request = json.loads(line)
        pid = fork_tool(request['cmd'], request['cwd'], request['stdout'],
                        request['stderr'], env=request['env'],
                        new_session=True)
        reply(dict(pid=pid))
        _, status = os.waitpid(pid, 0)
        reply(dict(rc=os.waitstatus_to_exitcode(status)))


if __name__ == '__main__':
    main()
