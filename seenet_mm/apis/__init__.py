"""High-level functions of seenet_mm."""
__all__: list = []
