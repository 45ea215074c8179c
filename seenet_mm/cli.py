"""What the tools' functions share: their arguments (mmseg's for train and
test), config loading, runner building, ``--tta`` / ``--crf``, ``--amp``
and the one-line errors (:func:`cli_main`)."""
from __future__ import annotations

import argparse
import itertools
import os
import os.path as osp
import time
from typing import (Any, Dict, List, Mapping, Optional, Sequence, Tuple,
                    Union)

from mmengine.config import Config, DictAction

from . import compat
from .engine.amp import config_has_hook


def threshold_value(text: str):
    """A threshold option: ``auto`` or a number."""
    if text == 'auto':
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a number or auto, got {text!r}') from None


def parse_cfg_options(items: Sequence[str], flag: str = '--cfg-options'
                      ) -> Dict[str, Any]:
    """``['a.b=1', 'c=[1,2]']`` as mmengine's ``DictAction`` reads them
    (``{'a.b': 1, 'c': [1, 2]}``).

    Raises:
        ValueError: an item that is not ``KEY=VALUE``, naming ``flag``.
    """
    parsed = {}
    for item in items:
        key, sep, value = item.partition('=')
        if not sep or not key:
            raise ValueError(f'{flag}: {item!r} is not KEY=VALUE')
        parsed[key] = DictAction._parse_iterable(value)
    return parsed


def option_text(value: Any) -> str:
    """A config override's value as ``DictAction`` reads it back."""
    if isinstance(value, list):
        return '[' + ','.join(option_text(v) for v in value) + ']'
    if isinstance(value, tuple):
        return '(' + ','.join(option_text(v) for v in value) + ')'
    return str(value)


def option_strings(options: Union[Mapping[str, Any], Sequence[str], None]
                   ) -> Tuple[str, ...]:
    """``KEY=VALUE`` strings of config overrides given as a dict or as
    strings (the inverse of :func:`parse_cfg_options`)."""
    if not options:
        return ()
    if isinstance(options, Mapping):
        return tuple(f'{k}={option_text(v)}' for k, v in options.items())
    return tuple(options)


def repo_root() -> str:
    """The folder holding ``tools/`` and ``configs/``: the repository of a
    source checkout (editable install), else the ``seenet_mm/.mim`` copy
    that ``setup.py`` makes for a plain install. The main job's configs are
    found there, and a command that is not one of our tools runs from
    it."""
    package = osp.dirname(osp.abspath(__file__))
    repo = osp.dirname(package)
    if osp.isfile(osp.join(repo, 'tools', 'train.py')):
        return repo
    return osp.join(package, '.mim')


def signature_defaults(func) -> Dict[str, Any]:
    """The keyword defaults of ``func``: a tool's options take their
    defaults from the function it calls, their one home."""
    import inspect
    return {name: p.default for name, p in
            inspect.signature(func).parameters.items()
            if p.default is not inspect.Parameter.empty}


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config, key=value (a.b.c=1 for '
        'nested keys, key="[a,b]" for lists)')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)

# The first names of configs renamed to mmseg's convention, kept as
# one-line alias files beside the new ones (docs/configs.md#aliases): the
# commands a user learnt first still run.
CONFIG_ALIASES: Dict[str, str] = {
    'seenet/r50-d16_voc.py':
        'seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512.py',
    'seenet/r50-d16_voc_acol.py':
        'seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512_acol.py',
    'seenet/r50-d16_voc_cam.py':
        'seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512_cam.py',
    'seenet/r50-d8_coco.py':
        'seenet/seenet_r50-d8_1xb16-5e_coco14-512x512.py',
    'seenet/r50-d8_voc.py':
        'seenet/seenet_r50-d8_1xb16-5e_voc12aug-512x512.py',
    'seenet/vgg16_coco.py':
        'seenet/seenet_vgg16_1xb16-50k_coco14-224x224.py',
    'seenet/vgg16_folder.py':
        'seenet/seenet_vgg16_1xb16-25k_folder-224x224.py',
    'seenet/vgg16_voc.py':
        'seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py',
    'seenet/vgg16_voc_acol.py':
        'seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_acol.py',
    'seenet/vgg16_voc_cam.py':
        'seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_cam.py',
    'seenet/vgg16_voc_noflip.py':
        'seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224_noflip.py',
    'deeplab_largefov/deeplab-largefov_vgg16_coco.py':
        'deeplab_largefov/deeplab-largefov_vgg16_1xb20-48k_coco14-321x321.py',
    'deeplab_largefov/deeplab-largefov_vgg16_folder.py':
        'deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_folder-321x321.py',
}
# Renamed configs without an alias file (toy configs, a config that moved
# folder; docs/configs.md has the same table): a user's old command line
# gets the new name instead of a bare "not found".
RENAMED_CONFIGS: Dict[str, str] = {
    'deeplab_largefov/deeplabv3plus_r50-d8_4xb4-20k_voc12aug-512x512_proxy.py':
        'deeplabv3plus/deeplabv3plus_r50-d8_4xb4-20k_voc12aug-512x512_proxy.py',
    'toy/deeplab-largefov_vgg16_toy.py':
        'toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py',
    'toy/deeplab-largefov_vgg16_toy_folder.py':
        'toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96_folder.py',
    'toy/deeplabv3plus_r18-d8_toy_proxy.py':
        'toy/deeplabv3plus_r18-d8_1xb8-400_toy-96x96_proxy.py',
    'toy/seenet_vgg16_toy.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py',
    'toy/seenet_vgg16_toy_acol.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_acol.py',
    'toy/seenet_vgg16_toy_cam.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_cam.py',
    'toy/seenet_vgg16_toy_folder.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_folder.py',
    'toy/seenet_vgg16_toy_folder_acol.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_folder_acol.py',
    'toy/seenet_vgg16_toy_folder_cam.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_folder_cam.py',
    'toy/seenet_vgg16_toy_folder_noflip.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_folder_noflip.py',
    'toy/seenet_vgg16_toy_lowq25.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_lowq25.py',
    'toy/seenet_vgg16_toy_lowq50.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_lowq50.py',
    'toy/seenet_vgg16_toy_minmax.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_minmax.py',
    'toy/seenet_vgg16_toy_noflip.py':
        'toy/seenet_vgg16-tiny_1xb16-800_toy-112x112_noflip.py',
    'toy/vgg16_fcn_toy_seg.py':
        'toy/fcn_vgg16-tiny_1xb8-400_toy-96x96.py',
}


def renamed_hint(config: str) -> str:
    """`` (renamed: configs/NEW)`` when ``config`` ends in an old config
    path, else ``''``."""
    path = config.replace(osp.sep, '/')
    for old, new in RENAMED_CONFIGS.items():
        if path == old or path.endswith('/' + old):
            return f' (renamed: configs/{new}; see docs/configs.md)'
    return ''


def load_config(config: str, cfg_options: Optional[Dict[str, Any]],
                work_dir: Optional[str], launcher: str) -> Config:
    """Read ``config``, merge ``--cfg-options``, set work dir and launcher.

    A key of ``--cfg-options`` whose parent does not exist in the config is
    rejected with a ``KeyError`` naming it (mmengine would silently add it).
    """
    if not osp.isfile(config):
        raise FileNotFoundError(
            f'config file not found: {config}{renamed_hint(config)}')
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options:
        check_cfg_options(cfg, cfg_options)
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    return cfg


# Top-level keys that mmengine's runner or our tools read themselves: an
# override of them takes effect. Any other top-level key is a variable of
# the config file, read only while the file was parsed.
RUNTIME_KEYS = frozenset({
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'load_from', 'resume', 'launcher',
    'env_cfg', 'log_processor', 'log_level', 'visualizer', 'vis_backends',
    'default_scope', 'randomness', 'experiment_name', 'custom_imports',
    'model_wrapper_cfg', 'runner_type', 'amp', 'crf_cfg', 'tta_model',
    'tta_pipeline'})


def _fields(node: Any, prefix: str = ''):
    """``(dotted path, value)`` of every value under ``node``, lists and
    tuples indexed (``a.0.b``)."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, (list, tuple)):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        return
    for key, value in items:
        path = f'{prefix}.{key}' if prefix else str(key)
        yield path, value
        yield from _fields(value, path)


def _holds(field: Any, value: Any) -> bool:
    """Whether a config field holds a variable's value: a string that
    contains it, or an equal value of the same kind."""
    if field is None or isinstance(field, bool):
        return False
    if isinstance(value, str):
        return isinstance(field, str) and value in field
    if isinstance(value, (list, tuple)):
        return isinstance(field, (list, tuple)) and \
            list(field) == list(value)
    return type(field) is type(value) and field == value


def interpolated_fields(cfg: Config, name: str) -> List[str]:
    """The fields of ``cfg`` that hold the value of its top-level variable
    ``name`` (equal to it, or for a string, containing it): where the
    config file used the variable. Empty for the keys that the runner or
    our tools read (:data:`RUNTIME_KEYS`) and for booleans and None."""
    root = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    if name in RUNTIME_KEYS or name not in root:
        return []
    value = root[name]
    if value is None or isinstance(value, bool) or value == '':
        return []
    found = [path for path, other in _fields(root)
             if path.split('.')[0] in RUNTIME_KEYS  # not another variable
             and _holds(other, value)]
    # the outermost field of each nested match (a dict equal to the
    # variable is reported, not each of its items)
    return [p for p in found
            if not any(p.startswith(q + '.') for q in found)]


def check_cfg_options(cfg: Config, options: Dict[str, Any]) -> None:
    """Reject dotted keys whose parent path is not in the config, and keys
    naming a top-level variable that the config file has already used in
    other fields (an override of it would change nothing: the silent
    trap of mmengine's configs)."""
    for key in options:
        name = key.split('.')[0]
        used = interpolated_fields(cfg, name)
        if used:
            raise KeyError(
                f'--cfg-options {key}: {name} is a variable the config '
                f'already used when it was read; overriding it changes '
                f'nothing. Set the field(s) that hold its value instead: '
                f'{", ".join(used)}')
        parts = key.split('.')
        node: Any = cfg._cfg_dict if isinstance(cfg, Config) else cfg
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, (list, tuple)) and part.isdigit():
                if int(part) >= len(node):
                    raise KeyError(f'--cfg-options {key}: index {part} is '
                                   'out of range')
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                where = '.'.join(parts[:depth]) or 'the config'
                raise KeyError(f'--cfg-options {key}: {where} has no key '
                               f'{part!r}')


# where the docs say how to make a dataset's files, by dataset type
_DATA_DOCS = {
    'PascalVOCDataset': 'docs/reproduce_voc.md#data',
    'VOCImageLabelDataset': 'docs/reproduce_voc.md#data',
    'ImageLabelFolderDataset': 'docs/data.md#your-own-data',
    'ImageFolderSegDataset': 'docs/data.md#your-own-data',
}
# ... or by the name of the data root, first match
_DATA_DOCS_BY_ROOT = (
    ('coco', 'docs/data.md#coco-2014'),
    ('standin', 'docs/data.md#the-toy-stand-in-for-imagenet-weights'),
    ('toy', 'docs/data.md#the-toy-set'),
    ('camvid', 'docs/data.md#camvid-real-photographs'))
# datasets of image-level labels: no mask folder to check for training
_IMAGE_LABEL_DATASETS = ('VOCImageLabelDataset', 'ImageLabelFolderDataset')


def _data_path(root: str, path: str) -> str:
    return path if not root or osp.isabs(path) else osp.join(root, path)


def _check_dataset(dataset: Any, where: str, training: bool) -> None:
    if not isinstance(dataset, dict):
        return
    if isinstance(dataset.get('dataset'), dict):  # wrappers
        _check_dataset(dataset['dataset'], f'{where}.dataset', training)
    for i, sub in enumerate(dataset.get('datasets', None) or ()):
        _check_dataset(sub, f'{where}.datasets.{i}', training)
    kind = str(dataset.get('type', ''))
    docs = _DATA_DOCS.get(kind, 'docs/data.md')
    root = dataset.get('data_root', None) or ''
    for word, page in _DATA_DOCS_BY_ROOT:
        if word in str(root).lower():
            docs = page
            break
    if root and not osp.isdir(root):
        raise FileNotFoundError(f'{where}.data_root: folder not found: '
                                f'{root} (how to make it: {docs})')
    ann = dataset.get('ann_file', None)
    if ann and not osp.isfile(_data_path(root, ann)):
        raise FileNotFoundError(f'{where}.ann_file: file not found: '
                                f'{_data_path(root, ann)} (how to make it: '
                                f'{docs})')
    prefix = dataset.get('data_prefix', None) or {}
    fields = ['img_path']
    if training and kind not in _IMAGE_LABEL_DATASETS:
        fields.append('seg_map_path')
    for field in fields:
        folder = prefix.get(field, None) if isinstance(prefix, dict) \
            else None
        if not folder or osp.isdir(_data_path(root, folder)):
            continue
        how = docs
        if field == 'seg_map_path':
            how = ('the masks or proxy labels: tools/make_proxy_labels.py, '
                   'docs/pipeline.md#proxy-labels; ' + docs)
        raise FileNotFoundError(
            f'{where}.data_prefix.{field}: folder not found: '
            f'{_data_path(root, folder)} (how to make it: {how})')


def check_data_files(cfg: Config, loaders: Sequence[str]) -> None:
    """Check that the files of the datasets of ``loaders`` (e.g.
    ``('train_dataloader', )``) exist before a runner is built: a missing
    folder or split file is one ``FileNotFoundError`` naming the config
    field, the path and the docs page saying how to make it (mmseg's
    datasets would fail deep in their loading instead).

    Checked: ``data_root``, ``ann_file``, ``data_prefix.img_path`` and,
    for training on masks or proxy labels, ``data_prefix.seg_map_path``.
    """
    for key in loaders:
        loader = cfg.get(key, None)
        if isinstance(loader, dict):
            _check_dataset(loader.get('dataset', None), f'{key}.dataset',
                           key == 'train_dataloader')


AMP_VALUES = (True, False, 'auto')


def amp_requested(cfg: Config, flag: Optional[bool],
                  device: Optional[str] = None) -> bool:
    """Whether to run under autocast: ``--amp`` (``flag`` True) or
    ``--no-amp`` (False) when given, else the config key ``amp``: True,
    False (the default) or ``'auto'``, which takes bfloat16 only where it is
    native and was measured: a CPU with native bfloat16 (the toy configs;
    float32, without a warning, on CUDA and on other CPUs).

    Raises:
        ValueError: the config's ``amp`` is none of those values.
    """
    if flag is not None:
        return bool(flag)
    value = cfg.get('amp', False)
    if value not in AMP_VALUES or not isinstance(value, (bool, str)):
        raise ValueError(f"config key amp must be True, False or 'auto', "
                         f'got {value!r}')
    if value == 'auto':
        from mmengine.device import get_device

        from .engine.amp import cpu_supports_bf16
        kind = (device or get_device()).split(':')[0]
        return kind == 'cpu' and cpu_supports_bf16()
    return value


def add_amp_args(parser: argparse.ArgumentParser) -> None:
    """``--amp`` / ``--no-amp``: over the config key ``amp``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--amp', action='store_true', default=None,
                       help='mixed precision: float16 on CUDA, bfloat16 on a '
                       'CPU with native bfloat16, else float32 with a '
                       "warning (default: the config key amp; 'auto' in "
                       'the toy configs: bfloat16 on a CPU with native '
                       'bfloat16)')
    group.add_argument('--no-amp', dest='amp', action='store_false',
                       help='float32, whatever the config key amp says')


PLAIN_CHECKPOINT_HOOK = 'PlainCheckpointHook'
NUM_CLASS_CHECK_HOOK = 'NumClassCheckHook'


def ensure_hooks(cfg: Config) -> None:
    """Add the hooks every runner of our tools needs to
    ``cfg.custom_hooks``, unless the config lists them already:
    ``PlainCheckpointHook`` (:func:`ensure_plain_checkpoints`) and
    ``NumClassCheckHook`` (the model's number of classes against its
    dataset's class list, checked before the first iteration)."""
    ensure_plain_checkpoints(cfg)
    if not config_has_hook(cfg, NUM_CLASS_CHECK_HOOK):
        cfg.custom_hooks = list(cfg.get('custom_hooks', None) or []) + [
            dict(type=NUM_CLASS_CHECK_HOOK)]


def ensure_plain_checkpoints(cfg: Config) -> None:
    """Add ``PlainCheckpointHook`` to ``cfg.custom_hooks`` unless the config
    lists it already (in ``default_hooks`` or ``custom_hooks``).

    Done here rather than in the configs: a config that sets its own
    ``custom_hooks`` list replaces its base's, and every runner of our
    tools must write checkpoints that load with ``weights_only=True``.
    """
    if config_has_hook(cfg, PLAIN_CHECKPOINT_HOOK):
        return
    cfg.custom_hooks = list(cfg.get('custom_hooks', None) or []) + [
        dict(type=PLAIN_CHECKPOINT_HOOK)]


_RUNNER_COUNT = itertools.count()


def build_runner(cfg: Config) -> Any:
    """Create the process group if needed, then the runner of ``cfg``
    (which writes its checkpoints in plain types: PlainCheckpointHook, and
    checks its number of classes against its datasets':
    NumClassCheckHook)."""
    from mmengine.runner import Runner
    from mmseg.registry import RUNNERS
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = '0'
    compat.init_distributed(cfg.launcher, cfg)
    ensure_hooks(cfg)
    if cfg.get('experiment_name', None) is None:
        # mmengine names a runner's logger, message hub and visualizer after
        # its experiment, by default the config's name and the second it
        # started: runners of one process (the main job's stages) would
        # share them
        stem = osp.splitext(osp.basename(cfg.filename or 'config'))[0]
        cfg.experiment_name = (f'{stem}_{time.strftime("%Y%m%d_%H%M%S")}_'
                               f'{next(_RUNNER_COUNT)}')
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)


def add_trust_arg(parser: argparse.ArgumentParser, what: str) -> None:
    """``--trust-checkpoint``: load ``what`` with full unpickling."""
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help=f'load {what} with full unpickling (weights_only=False), as '
        f'listing it in {compat.TRUST_ENV} does. Only for a file you trust: '
        'unpickling can run any code stored in it. Needed for checkpoints '
        'written by older seenet_mm versions or plain mmengine.')


def trust_train_checkpoint(cfg: Config, resume: bool) -> str:
    """Trust the checkpoint a training starts from: ``load_from``, else with
    ``resume`` the work dir's latest one. Returns its path."""
    target = cfg.get('load_from', None)
    if not target and resume:
        from mmengine.runner import find_latest_checkpoint
        target = find_latest_checkpoint(cfg.work_dir)
    if not target:
        raise ValueError('--trust-checkpoint: there is no checkpoint to '
                         'trust (no load_from, and no --resume with a '
                         f'last_checkpoint in {cfg.work_dir})')
    return compat.trust_checkpoint(target)


def _unwrapped(model: Any) -> Any:
    """``model`` without DDP and test-time (``BaseTTAModel``) wrappers."""
    from mmengine.model import BaseTTAModel, is_model_wrapper
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def missing_weights(model: Any, checkpoint: Any,
                    revise_keys=((r'^module\.', ''), )) -> List[str]:
    """The weights of ``model`` that ``checkpoint`` does not hold, as
    mmengine's loader sees them: DDP and test-time wrappers
    (``SegTTAModel``, ``SegCRFModel``) unwrapped, ``module.`` stripped from
    the checkpoint's keys, ``num_batches_tracked`` ignored."""
    import re
    model = _unwrapped(model)
    state = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else {}
    keys = set()
    for key in state if isinstance(state, dict) else ():
        for pattern, repl in revise_keys:
            key = re.sub(pattern, repl, key)
        keys.add(key)
    return [key for key in model.state_dict()
            if key not in keys and 'num_batches_tracked' not in key]


def require_all_weights(runner: Any, filename: str) -> None:
    """Make the checkpoint that ``runner.test()`` loads fit: weights of the
    model missing from it are an error naming their count and the first
    keys (unexpected extra keys stay mmengine's warning).

    The check is a hook on ``after_load_checkpoint`` (priority LOWEST, after
    hooks such as EMAHook have edited the checkpoint), so the runner loads
    at its usual point, after ``before_run``.
    """
    from mmengine.hooks import Hook

    class _AllWeightsCheck(Hook):
        priority = 'LOWEST'

        def after_load_checkpoint(self, runner, checkpoint) -> None:
            missing = missing_weights(runner.model, checkpoint)
            if not missing:
                return
            total = len([k for k in _unwrapped(runner.model).state_dict()
                         if 'num_batches_tracked' not in k])
            raise ValueError(
                f'checkpoint {filename} does not fit the model: '
                f'{len(missing)} of its {total} weights are missing '
                f'({", ".join(missing[:5])}'
                f'{", ..." if len(missing) > 5 else ""})')

    runner.register_hook(_AllWeightsCheck())


def enable_visualization(cfg: Config, show_dir: Optional[str]) -> None:
    """Make the SegVisualizationHook draw predictions into ``show_dir``."""
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise KeyError('--show-dir needs default_hooks.visualization '
                       "(dict(type='SegVisualizationHook'))")
    hooks.visualization.draw = True
    if show_dir:
        cfg.visualizer.save_dir = show_dir


def use_tta(cfg: Config) -> None:
    """Swap in the config's ``tta_pipeline`` and ``tta_model``."""
    for key in ('tta_pipeline', 'tta_model'):
        if key not in cfg:
            raise KeyError(f'--tta needs {key!r} in the config')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def use_crf(cfg: Config, workers: Optional[int] = None) -> None:
    """Wrap the segmentor in ``SegCRFModel`` (after :func:`use_tta`, the
    CRF model averages the augmented views itself).

    Args:
        cfg: the test config, changed in place.
        workers: processes running the CRFs (``--crf-workers``; default:
            the cores available, shared among the processes of a
            distributed test on this machine). With more than one, the test
            batch grows to twice that many images so that the workers have
            several CRFs at a time (the network still sees one image at a
            time: the predictions are unchanged).
    """
    from .crf import check_workers, cores_available, crf_available
    if not crf_available():
        raise ImportError('--crf needs pydensecrf2: pip install '
                          '"pydensecrf2==1.1" (or pip install -e ".[crf]")')
    if workers is None:
        local_ranks = int(os.environ.get('LOCAL_WORLD_SIZE', '1') or 1)
        workers = max(1, cores_available() // max(1, local_ranks))
    check_workers(workers, '--crf-workers')
    tta = cfg.model.get('type') == 'SegTTAModel'
    cfg.model = dict(type='SegCRFModel',
                     module=cfg.model.module if tta else cfg.model,
                     crf=cfg.get('crf_cfg', None), tta=tta,
                     crf_workers=workers)
    if workers > 1:
        loader = cfg.test_dataloader
        loader.batch_size = max(loader.get('batch_size', 1), 2 * workers)


def cli_main(main) -> None:
    """Run a tool's ``main``: a bad input (missing or unreadable file, wrong
    config key or value) ends in one ``error: ...`` line on stderr and exit
    code 1 instead of a traceback; ``SEENET_DEBUG=1`` shows the traceback.
    """
    import sys
    try:
        main()
    except (FileNotFoundError, FileExistsError, KeyError, ValueError,
            ImportError) as err:
        if os.environ.get('SEENET_DEBUG'):
            raise
        message = err.args[0] if isinstance(err, KeyError) and err.args \
            else err
        sys.exit(f'error: {message}')


__all__: List[str] = ['repo_root', 'add_common_args', 'CONFIG_ALIASES',
                      'threshold_value', 'signature_defaults',
                      'parse_cfg_options',
                      'RENAMED_CONFIGS', 'renamed_hint',
                      'load_config', 'check_cfg_options',
                      'RUNTIME_KEYS', 'interpolated_fields',
                      'check_data_files',
                      'amp_requested', 'add_amp_args',
                      'AMP_VALUES', 'build_runner',
                      'ensure_plain_checkpoints', 'ensure_hooks',
                      'add_trust_arg', 'trust_train_checkpoint',
                      'missing_weights', 'require_all_weights',
                      'enable_visualization', 'use_tta', 'use_crf',
                      'cli_main']
