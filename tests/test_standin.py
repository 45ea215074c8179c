"""The toy stand-in for ImageNet weights: its pretraining set, the tool that
makes it once (kept, refused or replaced), and the toy configs that load it
through ``standin://``, or fail with one line naming the command."""
import json
import os
import os.path as osp

import torch
from mmengine.config import Config

from conftest import REPO, run_tool
from seenet_mm.compat import load_local_checkpoint
from seenet_mm.utils import register_all_modules

register_all_modules()

TOY = osp.join(REPO, 'configs', 'toy')
SEENET = osp.join(TOY,
                  'seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py')
LARGEFOV = osp.join(
    TOY, 'deeplab-largefov_vgg16-tiny-standin-pre_1xb8-1600_toy-96x96.py')


def test_pretraining_set_is_broad_and_not_the_main_jobs(tmp_path):
    from seenet_mm.apis.toy import SEED_OFFSET, standin_set
    from seenet_mm.toy import DEFAULT_CLASSES
    out = standin_set(str(tmp_path / 'set'), 0, 40)
    train = json.load(open(osp.join(out, 'train.json')))
    classes = train['metainfo']['classes']
    # every class style of the toy set, the main job's 8 among them
    assert len(classes) == 20 and set(DEFAULT_CLASSES) < set(classes)
    # other images than the main job's toy set (seeds 0 and up), no context
    meta = json.load(open(osp.join(out, 'toy_meta.json')))
    assert meta['seed'] == SEED_OFFSET and 'context' not in meta


def test_toy_configs_start_from_the_standin(tiny_standin):
    from mmseg.registry import MODELS
    weights = load_local_checkpoint(tiny_standin)['state_dict']
    assert weights and all(k.startswith('backbone.') for k in weights)
    for config in (SEENET, LARGEFOV):
        cfg = Config.fromfile(config)
        model = MODELS.build(cfg.model)
        model.init_weights()
        state = model.backbone.state_dict()
        for key, value in weights.items():
            assert torch.equal(state[key[len('backbone.'):]], value), key


def test_standin_is_kept_refused_or_replaced(tiny_standin):
    tiny = ['--num-images', '32', '--cfg-options', 'train_cfg.max_iters=2',
            'default_hooks.checkpoint.interval=2',
            'train_dataloader.batch_size=4', 'val_dataloader.batch_size=4']
    before = os.stat(tiny_standin).st_mtime_ns
    proc = run_tool(['tools/make_standin.py', *tiny])
    assert f'stand-in {tiny_standin} exists: kept' in proc.stdout
    proc = run_tool(['tools/make_standin.py'], check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        f'error: stand-in {tiny_standin} was made with other settings')
    # bfloat16 or float32 is a setting of its own (the toy config's
    # amp='auto' decides per CPU; the flags override it)
    made_amp = load_local_checkpoint(tiny_standin)['meta']['settings']['amp']
    other = '--no-amp' if made_amp else '--amp'
    proc = run_tool(['tools/make_standin.py', *tiny, other], check=False)
    assert proc.returncode == 1 and 'made with other settings' in proc.stderr
    proc = run_tool(['tools/make_standin.py', '--if-missing'])
    assert 'exists: kept' in proc.stdout
    assert os.stat(tiny_standin).st_mtime_ns == before


def test_if_missing_waits_for_the_run_making_it(tiny_standin):
    """Two main jobs started together: the one whose stand-in stage finds
    the stand-in folder busy waits for the other and keeps its stand-in."""
    import threading
    from test_locking import hold, stop
    holder = hold(osp.dirname(tiny_standin))
    threading.Timer(1.0, stop, [holder]).start()
    proc = run_tool(['tools/make_standin.py', '--if-missing'])
    assert (f'waiting for the run making the stand-in in '
            f'{osp.dirname(tiny_standin)} (PID {holder.pid})') in proc.stdout
    assert 'exists: kept' in proc.stdout


def test_missing_standin_is_one_line_naming_the_command(toy_root, tmp_path):
    voc = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    empty = str(tmp_path / 'no_standin')
    proc = run_tool(
        ['tools/train.py', SEENET, '--work-dir', str(tmp_path / 'w'),
         '--cfg-options', f'train_dataloader.dataset.data_root={voc}',
         f'val_dataloader.dataset.data_root={voc}',
         f'test_dataloader.dataset.data_root={voc}'],
        env=dict(SEENET_STANDIN_DIR=empty), check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: the toy stand-in vgg16-tiny is missing ({empty}/'
        'vgg16-tiny.pth): make it with `python tools/make_standin.py` (the '
        'main job makes it as its first stage)')
    assert not [f for f in os.listdir(tmp_path / 'w') if f.endswith('.pth')]
