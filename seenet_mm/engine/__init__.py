from .amp import CPUAmpOptimWrapper, amp_autocast, amp_dtype
from .hooks import (AttentionSnapshotHook, ErasingScheduleHook,
                    PlainCheckpointHook, RNGStateHook, ZoneStatisticsHook)
from .optim_constructor import NewLayersLrConstructor

__all__ = ['ErasingScheduleHook', 'ZoneStatisticsHook', 'RNGStateHook',
           'AttentionSnapshotHook', 'PlainCheckpointHook',
           'NewLayersLrConstructor', 'CPUAmpOptimWrapper', 'amp_dtype',
           'amp_autocast']
