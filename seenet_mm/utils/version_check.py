"""Check that the installed OpenMMLab stack is one seenet_mm works with."""
from __future__ import annotations

import importlib
from typing import Callable, Dict, List, Optional, Tuple

from ..version import STACK_REQUIREMENTS, TESTED_VERSIONS


def _parse(version: str) -> Tuple[int, ...]:
    """'2.1.0rc4+cpu' -> (2, 1, 0, -1, 4); release > rc of the same number."""
    main = version.split('+')[0]
    parts: List[int] = []
    for piece in main.replace('-', '.').split('.'):
        digits = ''.join(ch for ch in piece if ch.isdigit())
        if piece.isdigit():
            parts.append(int(piece))
        elif 'rc' in piece:
            head, _, tail = piece.partition('rc')
            parts.extend([int(head or 0), -1, int(tail or 0)])
        elif digits:
            parts.append(int(digits))
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


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
