from .hooks import (AttentionSnapshotHook, ErasingScheduleHook,
                    RNGStateHook, ZoneStatisticsHook, snapshot_image)
from .optim_constructor import NewLayersLrConstructor

__all__ = ['ErasingScheduleHook', 'ZoneStatisticsHook', 'RNGStateHook',
           'AttentionSnapshotHook', 'snapshot_image', 'NewLayersLrConstructor']
