from .attention_snapshot_hook import AttentionSnapshotHook
from .class_weight_hook import ClassWeightHook
from .channels_last_hook import ChannelsLastHook
from .erasing_schedule_hook import ErasingScheduleHook
from .num_class_check_hook import NumClassCheckHook, check_num_classes
from .plain_checkpoint_hook import PlainCheckpointHook
from .rng_state_hook import RNGStateHook
from .zone_statistics_hook import ZoneStatisticsHook

__all__ = ['ErasingScheduleHook', 'ZoneStatisticsHook', 'RNGStateHook',
           'AttentionSnapshotHook', 'PlainCheckpointHook', 'NumClassCheckHook',
           'check_num_classes', 'ChannelsLastHook', 'ClassWeightHook']
