# Shared by every seenet_mm config: mmseg's runtime + our package.
_base_ = ['mmseg::_base_/default_runtime.py']

# Importing seenet_mm applies its compatibility layer and registers its
# modules into mmseg's registries (so the default scope stays 'mmseg').
custom_imports = dict(imports=['seenet_mm'], allow_failed_imports=False)

# No model_wrapper_cfg: mmengine's default DDP wrapper. seenet_mm's tools
# swap in CPUCompatibleDistributedDataParallel for distributed runs on CPU
# (seenet_mm.compat.distributed); a config's own model_wrapper_cfg is kept.

# mmseg's SegLocalVisualizer plus attention heatmaps, T_A and label maps;
# the attention snapshots of training go to its backends
visualizer = dict(
    type='AttentionVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when CUDA is unavailable
    dist_cfg=dict(backend='nccl'),
)
