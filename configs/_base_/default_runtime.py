# Shared by every seenet_mm config: mmseg's runtime + our package.
_base_ = ['mmseg::_base_/default_runtime.py']

# Importing seenet_mm applies its compatibility layer and registers its
# modules into mmseg's registries (so the default scope stays 'mmseg').
custom_imports = dict(imports=['seenet_mm'], allow_failed_imports=False)

# MMDistributedDataParallel that also wraps CPU models (torchrun + gloo);
# identical to mmengine's wrapper on CUDA.
model_wrapper_cfg = dict(type='SeeNetDistributedDataParallel')

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo when CUDA is unavailable
    dist_cfg=dict(backend='nccl'),
)
