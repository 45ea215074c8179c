"""Datasets and transforms of seenet_mm (registered into mmseg)."""
__all__: list = []
