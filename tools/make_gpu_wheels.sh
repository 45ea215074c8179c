#!/usr/bin/env bash
# Fill a folder with the wheels that tools/gpu_check.sh installs on an offline
# CUDA machine (run here, with network):
#
#   bash tools/make_gpu_wheels.sh [DIR]     # DIR defaults to ./.whl
#
# Target: CPython 3.12, x86-64 Linux, whose image already holds torch, numpy,
# opencv-python-headless, pillow, scipy, matplotlib, rich, regex, pyyaml,
# tqdm, pytest, packaging, einops, markdown, click, zipp, ... (the GPU
# machines' list). The folder gets the rest of what seenet-mm imports at run
# time, at the versions this project tests (setup.py / tools/install.sh),
# each wheel fetched with --no-deps, so the list below is the whole closure:
#
# - the OpenMMLab stack: mmengine, mmsegmentation, mmpretrain, and mmcv-lite
#   (sdist only on PyPI: built here into a pure-Python wheel);
# - their pure-Python needs that the target lacks;
# - pycocotools (a cp312 manylinux wheel), tools/convert_coco.py;
# - pydensecrf2 1.1 (the dense CRF; sdist only on PyPI): built here as a
#   cp312 wheel with a local Python 3.12 (PYTHON312, or python3.12 on the
#   PATH, or pyenv's); without one it is left out and gpu_check.sh skips the CRF;
# - setuptools 81 (mmengine needs pkg_resources, gone in setuptools 82):
#   gpu_check.sh installs it only where the machine's own setuptools lacks it.
#
# torch and numpy are never put in the folder: gpu_check.sh keeps the machine's.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-.whl}
PY=${PYTHON:-python3}
PIP=("$PY" -m pip --disable-pip-version-check)

# name==version, pure Python or with cp312 manylinux wheels on PyPI
WHEELS=(
  mmengine==0.10.7
  mmsegmentation==1.2.2
  mmpretrain==1.2.0
  addict==2.4.0
  yapf==0.43.0
  platformdirs==4.14.8
  termcolor==3.3.0
  prettytable==3.18.0
  wcwidth==0.9.4
  ftfy==6.3.1
  mat4py==0.6.0
  modelindex==0.0.2
  model-index==0.1.11
  ordered-set==4.1.0
  importlib-metadata==10.2.0
  lazy-importer==0.1.0
  pycocotools==2.0.11
  setuptools==81.0.0
)
# built here from their sdists
MMCV_LITE=mmcv-lite==2.1.0
DENSECRF=pydensecrf2==1.1

PLATFORM=(--python-version 3.12 --implementation cp
          --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
          --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
          --platform manylinux1_x86_64)

rm -rf "$DIR"
mkdir -p "$DIR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== downloading ${#WHEELS[@]} wheels (cp312, manylinux x86-64)"
for spec in "${WHEELS[@]}"; do
  # one at a time: a pure-Python package without a wheel on PyPI is built
  if ! "${PIP[@]}" download -q --no-deps --only-binary=:all: \
      "${PLATFORM[@]}" -d "$DIR" "$spec" 2>"$TMP/err"; then
    if grep -q 'No matching distribution' "$TMP/err"; then
      echo "   $spec: no wheel on the index, building one (pure Python)"
      "${PIP[@]}" wheel -q --no-deps -w "$TMP/built" "$spec"
      if ls "$TMP/built"/*.whl | grep -qv -- '-none-any.whl$'; then
        echo "ERROR: $spec built a platform wheel here: not usable" >&2
        exit 1
      fi
      mv "$TMP/built"/*.whl "$DIR"/
    else
      cat "$TMP/err" >&2
      exit 1
    fi
  fi
done

echo "== building $MMCV_LITE (pure Python, MMCV_WITH_OPS=0)"
MMCV_WITH_OPS=0 "${PIP[@]}" wheel -q --no-deps -w "$TMP/mmcv" "$MMCV_LITE"
mmcv_whl=$(ls "$TMP/mmcv"/*.whl)
case "$mmcv_whl" in
  *-py3-none-any.whl|*-py2.py3-none-any.whl) mv "$mmcv_whl" "$DIR"/ ;;
  *) echo "ERROR: $mmcv_whl is not a pure-Python wheel" >&2; exit 1 ;;
esac

PY312=${PYTHON312:-}
if [ -z "$PY312" ]; then
  if command -v python3.12 >/dev/null 2>&1 && python3.12 -V >/dev/null 2>&1
  then
    PY312=python3.12
  elif command -v pyenv >/dev/null 2>&1; then
    prefix=$(pyenv prefix "$(pyenv versions --bare | grep -E '^3\.12' |
                              tail -1)" 2>/dev/null || true)
    [ -n "$prefix" ] && [ -x "$prefix/bin/python3.12" ] &&
      PY312="$prefix/bin/python3.12"
  fi
fi
if [ -n "$PY312" ] && "$PY312" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null
then
  echo "== building $DENSECRF for cp312 with $PY312 ($("$PY312" -V))"
  # its build needs Cython and numpy; build isolation fetches them
  "$PY312" -m pip --disable-pip-version-check wheel -q --no-deps \
    -w "$TMP/crf" "$DENSECRF"
  crf_whl=$(ls "$TMP/crf"/*.whl)
  case "$crf_whl" in
    *-cp312-cp312-*x86_64.whl) mv "$crf_whl" "$DIR"/ ;;
    *) echo "ERROR: $crf_whl is not a cp312 x86-64 wheel" >&2; exit 1 ;;
  esac
  # the glibc / libstdc++ symbol versions it needs (the target must have them)
  if command -v objdump >/dev/null 2>&1; then
    unzip -q -o "$DIR"/pydensecrf2-*.whl -d "$TMP/crfx" '*.so'
    need=$(find "$TMP/crfx" -name '*.so' -exec objdump -T {} + |
           grep -oE '(GLIBC|GLIBCXX|CXXABI)_[0-9.]+' | sort -uV |
           awk -F_ '{max[$1]=$0} END {for (k in max) printf "%s ", max[k]}')
    echo "   pydensecrf2 needs at most: $need"
  fi
else
  echo "WARNING: no Python 3.12 here: $DENSECRF left out; gpu_check.sh will skip"
  echo "         the CRF (its tests skip without pydensecrf)"
fi

echo "== $DIR"
for f in "$DIR"/*.whl; do
  printf '%8s  %s\n' "$(du -k "$f" | cut -f1)K" "$(basename "$f")"
done
# torch / numpy must never travel: gpu_check.sh keeps the machine's own
if ls "$DIR" | grep -qiE '^(torch|numpy)-'; then
  echo "ERROR: torch or numpy in $DIR" >&2
  exit 1
fi
total_k=$(du -sk "$DIR" | cut -f1)
echo "total: $(ls "$DIR"/*.whl | wc -l) wheels, $((total_k / 1024)) MiB ($total_k KiB)"
if [ "$total_k" -ge $((60 * 1024)) ]; then
  echo "ERROR: over 60 MiB" >&2
  exit 1
fi
