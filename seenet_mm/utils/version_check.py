"""Check that the installed OpenMMLab stack is one seenet_mm works with."""
from __future__ import annotations

import importlib
from typing import Callable, Dict, List, Optional, Tuple

from ..version import STACK_REQUIREMENTS, TESTED_VERSIONS


def _parse(version: str) -> Tuple[int, ...]:
    """'2.1.0rc4+cpu' -> (2, 1, 0, -1, 4); '2.1.0' -> (2, 1, 0, 0, 0), so a
    release candidate sorts before its release."""
    main = version.split('+')[0]
    release, suffix = main, (0, 0)
    for tag, rank in (('rc', -1), ('b', -2), ('a', -3)):
        if tag in main:
            release, _, num = main.partition(tag)
            digits = ''.join(ch for ch in num if ch.isdigit())
            suffix = (rank, int(digits or 0))
            break
    parts = [int(''.join(ch for ch in p if ch.isdigit()) or 0)
             for p in release.rstrip('.').split('.')[:3]]
    parts += [0] * (3 - len(parts))
    return tuple(parts) + suffix


def find_version_problems(
        get_version: Optional[Callable[[str], Optional[str]]] = None
) -> List[str]:
    """Return one message per stack package that is missing or off-range.

    Args:
        get_version: maps an import name to its ``__version__`` or None when
            it is not installed; defaults to importing the package.

    Returns:
        list[str]: empty when the stack is fine.
    """
    if get_version is None:
        get_version = _installed_version
    problems = []
    for dist, module, low, high in STACK_REQUIREMENTS:
        found = get_version(module)
        tested = TESTED_VERSIONS[dist]
        if found is None:
            problems.append(f'{dist} is not installed: install {dist} '
                            f'>={low},<{high} (tested: {tested}).')
        elif not _parse(low) <= _parse(found) < _parse(high):
            problems.append(f'{dist} {found} is not supported: install '
                            f'{dist}>={low},<{high} (tested: {tested}).')
    return problems


def _installed_version(module: str) -> Optional[str]:
    try:
        return importlib.import_module(module).__version__
    except ImportError:
        return None


def check_stack(get_version: Optional[Callable[[str], Optional[str]]] = None
                ) -> Dict[str, str]:
    """Raise ``ImportError`` saying what to install when the stack is off.

    Returns:
        dict: import name -> version found, when everything is fine.
    """
    problems = find_version_problems(get_version)
    if problems:
        raise ImportError(
            'seenet_mm cannot run with the installed OpenMMLab stack:\n  ' +
            '\n  '.join(problems) +
            '\n`bash tools/install.sh` sets up a working environment.')
    get = get_version or _installed_version
    return {module: str(get(module)) for _, module, _, _ in STACK_REQUIREMENTS}
