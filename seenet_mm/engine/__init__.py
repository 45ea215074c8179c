from .hooks import (AttentionSnapshotHook, ErasingScheduleHook,
                    ZoneStatisticsHook, snapshot_image)
from .optim_constructor import NewLayersLrConstructor

__all__ = ['ErasingScheduleHook', 'ZoneStatisticsHook',
           'AttentionSnapshotHook', 'snapshot_image', 'NewLayersLrConstructor']
