"""NumClassCheckHook: the model's number of classes against its dataset's
class list, one error naming both before the first iteration."""
from types import SimpleNamespace

import pytest
import torch.nn as nn

from seenet_mm.engine.hooks import NumClassCheckHook


def runner_with(model, classes, loader='train_dataloader'):
    dataset = SimpleNamespace(metainfo=dict(classes=tuple(classes)))
    runner = SimpleNamespace(model=model)
    setattr(runner, loader, SimpleNamespace(dataset=dataset))
    return runner


def test_seenet_num_classes(tiny_seenet_model):
    hook = NumClassCheckHook()
    hook.before_train(runner_with(tiny_seenet_model, 'abc'))  # 3 == 3
    with pytest.raises(ValueError, match=r'model.num_classes=3 disagrees '
                       r'with the train dataset .* lists 20 classes'):
        hook.before_train(runner_with(tiny_seenet_model, range(20)))
    with pytest.raises(ValueError, match='set model.num_classes=4'):
        hook.before_val(runner_with(tiny_seenet_model, 'abcd',
                                    'val_dataloader'))


def test_segmentor_heads():
    head = SimpleNamespace(num_classes=4)
    seg = nn.Module()
    seg.decode_head = head
    seg.auxiliary_head = None
    hook = NumClassCheckHook()
    hook.before_test(runner_with(seg, ['background', 'a', 'b', 'c'],
                                 'test_dataloader'))
    with pytest.raises(ValueError, match=r'model.decode_head.num_classes=4 '
                       r'disagrees with the test dataset'):
        hook.before_test(runner_with(seg, ['background', 'a'],
                                     'test_dataloader'))
