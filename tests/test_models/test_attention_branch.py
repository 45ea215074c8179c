"""AttentionBranch: shapes, and its dropout before the score layer."""
import pytest
import torch

from seenet_mm.models.heads.attention_branch import AttentionBranch


def test_shapes_and_no_dropout_by_default():
    branch = AttentionBranch(in_channels=16, num_classes=5, channels=8)
    assert isinstance(branch.dropout, torch.nn.Identity)  # paper: none
    logits, maps = branch(torch.randn(2, 16, 7, 7))
    assert logits.shape == (2, 5) and maps.shape == (2, 5, 7, 7)
    assert torch.allclose(logits, maps.mean(dim=(2, 3)))


@pytest.mark.parametrize('layer,element_wise', [
    ('Dropout', True), ('Dropout2d', False)])
def test_dropout_layer(layer, element_wise):
    kwargs = dict(in_channels=16, channels=64, dropout=0.5)
    if layer != 'Dropout':
        kwargs['dropout_layer'] = layer
    branch = AttentionBranch(**kwargs).train()
    assert type(branch.dropout) is getattr(torch.nn, layer)
    torch.manual_seed(0)
    zero = branch.dropout(torch.ones(2, 64, 9, 9)) == 0
    whole = zero.all(dim=(2, 3))
    part = zero.any(dim=(2, 3)) & ~whole
    if element_wise:  # the deploy net's Caffe DROPOUT: single activations
        assert part.all() and not whole.any()
    else:
        assert not part.any() and 30 < int(whole.sum()) < 98


def test_bad_dropout_layer():
    with pytest.raises(ValueError, match='dropout_layer'):
        AttentionBranch(in_channels=4, dropout=0.5, dropout_layer='Drop')
