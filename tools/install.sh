#!/usr/bin/env bash
# Set up seenet-mm on a fresh machine (idempotent; ~1 minute when cached).
#
#   bash tools/install.sh            # into ./.venv (created if missing)
#   SEENET_VENV=none bash tools/install.sh   # into the active Python
#
# - keeps an installed torch (CPU or CUDA); installs torch==$TORCH_VERSION only
#   when there is none (TORCH_SPEC overrides the whole requirement);
# - installs mmcv-lite unless full mmcv is already installed (the two share
#   the import name `mmcv` and must never both be installed);
# - then `pip install -e ".[lite,tests,crf,coco]"` (or ".[tests,crf,coco]" with
#   full mmcv); crf = pydensecrf2, built from source once (~1 minute);
#   coco = pycocotools (wheel), for tools/convert_coco.py and its test.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SEENET_VENV:-.venv}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
if [ "$VENV" != "none" ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
  fi
  PY="$VENV/bin/python"
else
  PY=${PYTHON:-python3}
fi
PIP=("$PY" -m pip --disable-pip-version-check)

"${PIP[@]}" install -q --upgrade pip "setuptools>=77.0.3,<82" wheel

if "$PY" -c "import torch" >/dev/null 2>&1; then
  echo "torch $("$PY" -c 'import torch; print(torch.__version__)') already installed: kept"
else
  "${PIP[@]}" install -q "${TORCH_SPEC:-torch==$TORCH_VERSION}"
fi

EXTRAS="tests,crf,coco"
if "$PY" -c "import importlib.metadata as m; m.version('mmcv')" >/dev/null 2>&1; then
  echo "full mmcv $("$PY" -c 'import importlib.metadata as m; print(m.version("mmcv"))') installed: kept (no mmcv-lite)"
else
  EXTRAS="lite,tests,crf,coco"
fi
# The constraint keeps pip from replacing the installed torch.
TORCH_NOW=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
CONSTRAINTS=$(mktemp)
trap 'rm -f "$CONSTRAINTS"' EXIT
echo "torch==$TORCH_NOW" > "$CONSTRAINTS"
"${PIP[@]}" install -q -c "$CONSTRAINTS" -e ".[$EXTRAS]"
"$PY" -c "import seenet_mm, torch; print('seenet_mm', seenet_mm.__version__, '| torch', torch.__version__, '| stack', seenet_mm.STACK_VERSIONS)"
