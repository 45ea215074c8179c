"""A tool's main run in this process as in its own
(:func:`seenet_mm.pipeline.inprocess.isolated`, through the tests'
``call_main``): exit codes, its output apart from this process's, and
nothing left behind."""
import os
import sys
import warnings

import pytest
import torch
from mmengine.logging import MessageHub, MMLogger, print_log

from conftest import call_main


def read(path) -> str:
    with open(path) as f:
        return f.read()


def test_exit_codes_as_a_process(tmp_path):
    log = str(tmp_path / 'log')

    def ok(argv):
        print('args', *argv)

    def message(argv):
        sys.exit('error: bad input')

    def number(argv):
        sys.exit(3)

    def crash(argv):
        raise RuntimeError('boom')

    assert call_main(ok, ['a', 'b'], log) == 0
    assert read(log) == 'args a b\n'
    assert call_main(message, [], log) == 1
    assert read(log).endswith('error: bad input\n')
    assert call_main(number, [], log) == 3
    assert call_main(crash, [], log) == 1
    assert 'Traceback' in read(log) and 'RuntimeError: boom' in read(log)
    with pytest.raises(KeyboardInterrupt):
        call_main(lambda argv: (_ for _ in ()).throw(KeyboardInterrupt), [],
                  log)


def test_output_apart(tmp_path, capfd):
    """Python's output and the run's logger go to the files, the error
    output apart when asked; the caller's output is untouched, and output
    below Python (descriptors 1 and 2) stays the caller's."""
    out, err = str(tmp_path / 'out'), str(tmp_path / 'err')

    def tool(argv):
        print('to stdout')
        print('to stderr', file=sys.stderr)
        os.write(1, b'fd 1\n')
        os.write(2, b'fd 2\n')
        print_log('from the current logger', logger='current')

    print('before')
    assert call_main(tool, [], out, err) == 0
    print('after')
    assert read(out).startswith('to stdout\n')
    assert 'from the current logger' in read(out)
    assert 'fd 1' not in read(out)
    assert read(err) == 'to stderr\n'
    captured = capfd.readouterr()
    assert captured.out == 'before\nfd 1\nafter\n'
    assert captured.err == 'fd 2\n'


def test_progress_bars_follow_the_output(tmp_path, capfd):
    """A tool's progress bar goes to its output file: the bars whose stream
    is fixed when mmengine is imported are given today's."""
    from conftest import tool_module
    out = str(tmp_path / 'out')
    assert call_main(tool_module('make_toy_dataset').main,
                     ['--out', str(tmp_path / 'toy'), '--num-images', '3'],
                     out) == 0
    assert '3/3' in read(out)
    captured = capfd.readouterr()
    assert captured.out == '' and captured.err == ''


def test_nothing_left_behind(tmp_path, monkeypatch):
    """Environment, working directory, warning filters, thread count and
    mmengine's instances made by the tool are restored or removed; a
    logger's file handler is closed."""
    monkeypatch.setenv('SEENET_INPROCESS_TEST', 'before')
    here = os.getcwd()
    filters = list(warnings.filters)
    threads = torch.get_num_threads()
    loggers = set(MMLogger._instance_dict)
    hubs = set(MessageHub._instance_dict)
    seen = {}

    def tool(argv):
        seen['env'] = dict(os.environ)
        seen['cwd'] = os.getcwd()
        os.environ['SEENET_INPROCESS_TEST'] = 'changed'
        os.environ['SEENET_INPROCESS_NEW'] = '1'
        warnings.simplefilter('ignore')
        torch.set_num_threads(1)
        logger = MMLogger.get_instance('tool_logger',
                                       log_file=str(tmp_path / 'tool.log'))
        seen['handlers'] = list(logger.handlers)
        MessageHub.get_instance('tool_hub')

    env = dict(os.environ, SEENET_INPROCESS_TEST='given')
    assert call_main(tool, [], str(tmp_path / 'log'), env=env,
                     cwd=str(tmp_path)) == 0
    assert seen['env']['SEENET_INPROCESS_TEST'] == 'given'
    assert seen['cwd'] == str(tmp_path)
    assert os.environ['SEENET_INPROCESS_TEST'] == 'before'
    assert 'SEENET_INPROCESS_NEW' not in os.environ
    assert os.getcwd() == here
    assert warnings.filters == filters
    assert torch.get_num_threads() == threads
    assert set(MMLogger._instance_dict) == loggers
    assert set(MessageHub._instance_dict) == hubs
    files = [h for h in seen['handlers'] if hasattr(h, 'stream')
             and getattr(h, 'baseFilename', None)]
    assert files and all(h.stream is None or h.stream.closed for h in files)


class _Numbers(torch.utils.data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return torch.tensor([i])


def test_loader_workers_stopped(tmp_path):
    """The workers of a persistent DataLoader the tool leaves in a reference
    cycle (as a runner's loops hold theirs) are stopped when it returns."""
    kept = []

    def tool(argv):
        loader = torch.utils.data.DataLoader(_Numbers(), batch_size=4,
                                             num_workers=1,
                                             persistent_workers=True)
        assert [b.tolist() for b in loader] == [[[0], [1], [2], [3]],
                                               [[4], [5], [6], [7]]]
        loader.cycle = loader  # garbage only for the collector
        kept.append(loader._iterator)

    assert call_main(tool, [], str(tmp_path / 'log')) == 0
    assert kept[0]._workers
    assert not any(w.is_alive() for w in kept[0]._workers)
