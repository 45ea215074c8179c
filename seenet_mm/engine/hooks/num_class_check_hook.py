"""The model's number of classes against its dataset's class list."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from mmengine.hooks import Hook
from mmseg.registry import HOOKS


def _unwrap(model: Any) -> Any:
    return getattr(model, 'module', model)


def model_num_classes(model: Any) -> List[Tuple[str, int]]:
    """``(config key, num_classes)`` of every part of ``model`` that
    predicts one output per dataset class: SeeNet's ``num_classes`` (M), a
    segmentor's decode and auxiliary heads (M + 1, with the background)."""
    model = _unwrap(model)
    model = getattr(model, 'module', model)  # SegTTAModel / SegCRFModel
    out = []
    if hasattr(model, 'decode_head'):
        out.append(('model.decode_head.num_classes',
                    int(model.decode_head.num_classes)))
        aux = getattr(model, 'auxiliary_head', None)
        heads = aux if isinstance(aux, (list, tuple)) or hasattr(
            aux, '__iter__') else [aux]
        for i, head in enumerate(h for h in heads if h is not None):
            if hasattr(head, 'num_classes'):
                key = 'model.auxiliary_head' + (f'[{i}]' if len(
                    heads) > 1 else '') + '.num_classes'
                out.append((key, int(head.num_classes)))
    elif hasattr(model, 'num_classes'):
        out.append(('model.num_classes', int(model.num_classes)))
    return out


def check_num_classes(model: Any, dataset: Any, split: str) -> None:
    """Raise one ``ValueError`` naming the config key, its value, the
    dataset and its class count when they disagree.

    SeeNet predicts the M image-level classes of its dataset (whose
    ``metainfo.classes`` list no background); a segmentor predicts
    ``len(metainfo.classes)`` outputs (the list starts with the
    background). Either way the count equals ``len(classes)``.
    """
    meta = getattr(dataset, 'metainfo', None) or {}
    classes = meta.get('classes')
    if not classes:
        return
    for key, value in model_num_classes(model):
        if value == 1 and len(classes) == 2:
            continue  # mmseg's binary heads: one sigmoid output
        if value != len(classes):
            raise ValueError(
                f'{key}={value} disagrees with the {split} dataset '
                f'{type(dataset).__name__}, whose metainfo.classes lists '
                f'{len(classes)} classes ({", ".join(map(str, classes[:6]))}'
                f'{", ..." if len(classes) > 6 else ""}); set {key}='
                f'{len(classes)} (or give the dataset the classes the model '
                'was made for)')


@HOOKS.register_module()
class NumClassCheckHook(Hook):
    """Before training, validation and testing, check that the model's
    number of classes equals the length of its dataset's
    ``metainfo.classes`` (:func:`check_num_classes`); a mismatch is one
    error naming both, before any iteration runs.

    seenet_mm's tools add it to every runner they build
    (``seenet_mm.cli.build_runner``).
    """

    priority = 'VERY_HIGH'

    def _check(self, runner, loader_name: str, split: str) -> None:
        loader = getattr(runner, loader_name, None)
        dataset: Optional[Any] = getattr(loader, 'dataset', None)
        if dataset is not None:
            check_num_classes(runner.model, dataset, split)

    def before_train(self, runner) -> None:
        self._check(runner, 'train_dataloader', 'train')

    def before_val(self, runner) -> None:
        self._check(runner, 'val_dataloader', 'val')

    def before_test(self, runner) -> None:
        self._check(runner, 'test_dataloader', 'test')
