"""Shared by the hooks."""
from mmengine.model import is_model_wrapper


def unwrap_model(runner):
    """The runner's model without its DDP wrapper."""
    model = runner.model
    return model.module if is_model_wrapper(model) else model
