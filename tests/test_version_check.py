"""The stack check names what to install."""
import pytest

from seenet_mm.utils.version_check import (_parse, check_stack,
                                           find_version_problems)

GOOD = {'torch': '2.13.0+cpu', 'mmengine': '0.10.7', 'mmcv': '2.1.0',
        'mmseg': '1.2.2', 'mmpretrain': '1.2.0'}


def test_installed_stack_passes():
    versions = check_stack()
    assert set(versions) == set(GOOD)


def test_good_versions_pass():
    assert find_version_problems(GOOD.get) == []


@pytest.mark.parametrize('module,version,expect', [
    ('mmcv', '2.2.0', 'mmcv 2.2.0 is not supported: install mmcv>=2.0.0,<2.2.0'),
    ('mmengine', '1.0.0', 'mmengine>=0.10.0,<1.0.0'),
    ('mmseg', '1.1.0', 'mmsegmentation>=1.2.0,<1.3.0'),
    ('torch', '1.13.1', 'torch>=2.0.0,<3.0.0'),
    ('mmpretrain', None, 'mmpretrain is not installed'),
])
def test_off_versions_name_the_fix(module, version, expect):
    versions = dict(GOOD, **{module: version})
    problems = find_version_problems(versions.get)
    assert len(problems) == 1 and expect in problems[0]
    with pytest.raises(ImportError, match='tools/install.sh'):
        check_stack(versions.get)


def test_parse_orders_release_candidates():
    assert _parse('2.0.0rc4') < _parse('2.0.0') < _parse('2.1.0+cu121')
    assert _parse('2.13.0+cpu') == (2, 13, 0, 0, 0)
    assert _parse('0.10.7') < _parse('1.0.0rc0') < _parse('1.0.0')
