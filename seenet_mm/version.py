"""Version of seenet_mm and the versions of the stack it works with."""
__version__ = '0.1.0'

# (distribution label, import name, minimum inclusive, maximum exclusive).
# mmseg 1.2.2 asserts mmcv in [2.0.0rc4, 2.2.0); mmpretrain 1.2.0 wants mmcv
# in [2.0.0, 2.4.0); mmseg wants mmengine in [0.5.0, 1.0.0).
STACK_REQUIREMENTS = (
    ('torch', 'torch', '2.0.0', '3.0.0'),
    ('mmengine', 'mmengine', '0.10.0', '1.0.0'),
    ('mmcv', 'mmcv', '2.0.0', '2.2.0'),
    ('mmsegmentation', 'mmseg', '1.2.0', '1.3.0'),
    ('mmpretrain', 'mmpretrain', '1.2.0', '1.3.0'),
)
# What docs/get_started.md installs and CI tests.
TESTED_VERSIONS = {
    'torch': '2.13.0',
    'mmengine': '0.10.7',
    'mmcv': '2.1.0 (mmcv-lite 2.1.0)',
    'mmsegmentation': '1.2.2',
    'mmpretrain': '1.2.0',
}
