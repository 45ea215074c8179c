"""Fill the registries and set the default scope, like mmseg's helper."""
from mmengine.registry import init_default_scope


def register_all_modules(init_default_scope_: bool = True) -> None:
    """Import every module of seenet_mm and mmseg so the registries are full.

    Args:
        init_default_scope_: also set mmengine's default scope to ``mmseg``
            (the scope every seenet_mm module registers into).
    """
    import seenet_mm.models  # noqa: F401
    import seenet_mm.datasets  # noqa: F401
    import seenet_mm.engine  # noqa: F401
    import seenet_mm.evaluation  # noqa: F401
    import seenet_mm.visualization  # noqa: F401
    from mmseg.utils import register_all_modules as mmseg_register
    mmseg_register(init_default_scope=False)
    if init_default_scope_:
        init_default_scope('mmseg')
