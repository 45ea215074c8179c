#!/usr/bin/env bash
# The GPU check: the tests that touch CUDA paths and every
# benchmark with CUDA, on one CUDA machine without network, in < 8 minutes.
#
#   bash tools/make_gpu_wheels.sh      # once, with network: fills .whl/
#   bash tools/gpu_check.sh [LOG]            # on the GPU machine, repo root
#
# LOG (or $GPU_LOG; default work_dirs/gpu_check.log) gets everything printed.
# Other settings (environment): PYTHON (python3), WHEELS (.whl), GPU_SITE
# (work_dirs/gpu_site, where the wheels go), GPU_BUDGET_S (470: no step
# starts or runs past this many seconds from the start), GPU_PYTEST_X (0;
# 1: pytest -x), GPU_BENCH (1; 0 leaves the benchmarks out), GPU_TESTS (1;
# 0 leaves the tests out: install and import only, then the benchmarks if
# GPU_BENCH=1, e.g. to run other scripts with the installed wheels), GPU_TEST_S
# (210: no benchmark runs into the last this many seconds of the budget,
# kept for the tests), GPU_WORKERS (12, a number: pytest-xdist workers of 2
# threads each, where the machine's Python has xdist; it is not among the
# wheels).
#
# What it does:
# 1. stops at once, with a message, without a CUDA GPU that torch can use;
# 2. installs the wheels offline into GPU_SITE (pip --no-index --no-deps
#    --target, a constraints file pinning the machine's own torch and numpy;
#    no torch or numpy wheel is ever taken from the folder) and puts the
#    repository and GPU_SITE on PYTHONPATH; checks afterwards that torch and
#    numpy are still the machine's (same version, same files). The
#    setuptools 81 wheel goes in only where the machine's setuptools has no
#    pkg_resources (82 and later; mmengine needs it). Then imports seenet_mm,
#    runs mmengine's collect_env (distutils, on 3.12 only through
#    setuptools) and a tiny SeeNet forward on the GPU;
# 3. runs every benchmarks/bench_*.py, with --device cuda where the script
#    takes --device, after printing the GPU's name, one at a time (their
#    timings need the machine to themselves);
# 4. runs the tests that touch CUDA paths in one pytest step, in parallel
#    (AMP; distributed with nccl on one GPU; the RNG states of a resume on
#    the GPU; the dense CRF and SegCRFModel; the inferencer and the tools,
#    which use CUDA when it is there). Two tests start two processes, which
#    needs two GPUs with nccl, and the resume test trains on the CPU on any
#    machine: these three are deselected here;
# 5. prints a table of the steps (pass / FAIL / timeout / not run, seconds,
#    the last line of each) and exits 1 unless every step passed.
# The defaults (budget, workers) are sized for one GPU with 16 cores:
# install, benchmarks and tests together take close to the whole budget.
set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 2
LOG=${1:-${GPU_LOG:-$REPO/work_dirs/gpu_check.log}}
PY=${PYTHON:-python3}
WHEELS=${WHEELS:-$REPO/.whl}
SITE=${GPU_SITE:-$REPO/work_dirs/gpu_site}
BUDGET=${GPU_BUDGET_S:-470}
PYTEST_X=${GPU_PYTEST_X:-0}
BENCH=${GPU_BENCH:-1}
WORKERS=${GPU_WORKERS:-12}
TEST_S=${GPU_TEST_S:-210}
TESTS=${GPU_TESTS:-1}
[ "$TESTS" = 1 ] || TEST_S=0

mkdir -p "$(dirname "$LOG")" || exit 2
: >"$LOG" || exit 2
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!
TMPD=$(mktemp -d)
export REPO PY WHEELS SITE TMPD
finish() {  # let tee write the last lines before the script returns
  rm -rf "$TMPD"
  exec >&- 2>&-
  wait "$TEE_PID" 2>/dev/null
}
trap finish EXIT
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg PIP_CONFIG_FILE=/dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1
START=$SECONDS
echo "seenet-mm GPU check, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), log: $LOG"
echo "repository: $REPO ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null \
  || echo 'no git'))"

# ---- 1. a CUDA GPU, or stop ---------------------------------------------
if ! command -v "$PY" >/dev/null 2>&1; then
  echo "ERROR: no $PY (set PYTHON to the Python that holds CUDA torch)"
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  2>/dev/null || echo "(nvidia-smi: not found or no GPU)"
if ! GPU=$("$PY" - <<'EOF'
import sys
try:
    import torch
except ImportError as e:
    sys.exit(f'torch cannot be imported: {e}')
if not torch.cuda.is_available():
    sys.exit(f'torch {torch.__version__} sees no CUDA GPU '
             f'(CUDA build: {torch.version.cuda})')
p = torch.cuda.get_device_properties(0)
print(f'{torch.cuda.get_device_name(0)} ({p.total_memory / 2**30:.0f} GiB, '
      f'capability {p.major}.{p.minor}, {torch.cuda.device_count()} GPU(s)); '
      f'torch {torch.__version__}, CUDA {torch.version.cuda}')
EOF
); then
  echo "ERROR: this check needs a CUDA GPU that torch can use; stopping."
  exit 2
fi
echo "GPU: $GPU"
echo "python: $("$PY" -c 'import sys; print(sys.version.split()[0], sys.executable)')"

# ---- step runner --------------------------------------------------------
NAMES=() RESULTS=() SECS=() NOTES=()
FAILED=0
record() {  # NAME RESULT SECONDS NOTE
  NAMES+=("$1") RESULTS+=("$2") SECS+=("$3") NOTES+=("$4")
  [ "$2" = pass ] || FAILED=1  # a step the budget left out fails too
}
step() {  # step NAME TIMEOUT_S CMD... (cut to what is left of the budget)
  local name=$1 limit=$2 left rc t0 note
  shift 2
  left=$((BUDGET - (SECONDS - START)))
  ((limit > left)) && limit=$left
  if ((limit < 15)); then
    echo; echo "===== $name: skipped, the ${BUDGET}s budget is spent"
    record "$name" "not run" 0 "the ${BUDGET}s budget was spent before it"
    return
  fi
  echo; echo "===== $name (timeout ${limit}s): $*"
  # a function of this script runs in a bash of its own (timeout needs a
  # program); the variables it reads are exported below
  declare -F "$1" >/dev/null && set -- bash -c "$(declare -f "$1"); $1"
  t0=$SECONDS
  timeout -k 10 "$limit" "$@" 2>&1 | tee "$TMPD/$name.out"
  rc=${PIPESTATUS[0]}
  note=$(grep -v '^[[:space:]]*$' "$TMPD/$name.out" | tail -1 | cut -c1-110)
  case $rc in
    0) record "$name" pass $((SECONDS - t0)) "$note" ;;
    124|137) record "$name" timeout $((SECONDS - t0)) "killed after ${limit}s" ;;
    *) record "$name" "FAIL($rc)" $((SECONDS - t0)) "$note" ;;
  esac
}

# ---- 2. offline install, torch and numpy kept -----------------------------
install_wheels() {
  local before after wheels=() w tv nv
  local which='import torch, numpy as np
print(torch.__version__, np.__version__, torch.__file__, np.__file__)'
  shopt -s nullglob
  [ -d "$WHEELS" ] || {
    echo "no wheel folder $WHEELS: run tools/make_gpu_wheels.sh with" \
         "network first (and carry .whl)"; return 1; }
  before=$("$PY" -c "$which") || return 1
  read -r tv nv _ <<<"$before"
  printf 'torch==%s\nnumpy==%s\n' "$tv" "$nv" >"$TMPD/constraints.txt"
  echo "kept from the machine: $before"
  for w in "$WHEELS"/*.whl; do
    case $(basename "$w") in
      torch-*|numpy-*) echo "refused (the machine's own is kept): $w" ;;
      # only where the machine's setuptools lacks pkg_resources (>= 82)
      setuptools-*) "$PY" -c 'import pkg_resources' >/dev/null 2>&1 \
                      && echo "setuptools: the machine's kept (has pkg_resources)" \
                      || wheels+=("$w") ;;
      *) wheels+=("$w") ;;
    esac
  done
  ((${#wheels[@]})) || { echo "no wheels in $WHEELS"; return 1; }
  rm -rf "$SITE"
  # --no-index: offline; --no-deps: nothing but these wheels; -c: torch and
  # numpy pinned to the machine's; --target: nothing outside $SITE changes
  "$PY" -m pip install -q --no-index --no-deps --only-binary=:all: \
    --no-cache-dir --no-compile --target "$SITE" \
    -c "$TMPD/constraints.txt" "${wheels[@]}" || return 1
  ls "$SITE" | grep -iE '^(torch|numpy)([-_.]|$)' && {
    echo "torch or numpy landed in $SITE"; return 1; }
  after=$(PYTHONPATH="$REPO:$SITE" "$PY" -c "$which") || return 1
  [ "$before" = "$after" ] || {
    echo "torch/numpy changed: $before -> $after"; return 1; }
  echo "installed ${#wheels[@]} wheels into $SITE; torch and numpy unchanged"
}
step install 120 install_wheels
export PYTHONPATH="$REPO:$SITE${PYTHONPATH:+:$PYTHONPATH}"

step import 60 "$PY" - <<'EOF'
import torch
import seenet_mm
from seenet_mm.crf import crf_available
print('seenet_mm', seenet_mm.__version__, '| stack', seenet_mm.STACK_VERSIONS)
print('numpy', __import__('numpy').__version__, '| dense CRF (pydensecrf):',
      crf_available(), '| GPU:', torch.cuda.get_device_name(0))
if not crf_available():
    print('NOTE: no pydensecrf: the CRF tests skip themselves')
# what every runner logs first (it imports distutils: on Python 3.12 only
# through setuptools' shim)
from mmengine.utils.dl_utils import collect_env
print('GPU devices (mmengine):', collect_env().get('GPU 0'))
from mmseg.registry import MODELS
m = MODELS.build(dict(type='SeeNet', in_channels=16,
                      backbone=dict(type='VGG16', widen_factor=0.03125),
                      branch=dict(type='AttentionBranch', channels=8),
                      num_classes=3)).cuda()
with torch.no_grad():
    out = m.forward_branches(torch.randn(2, 3, 64, 64, device='cuda'),
                             torch.tensor([[1., 0, 1], [0, 1, 0]],
                                          device='cuda'))
print('tiny SeeNet forward on cuda:', sorted(out))
EOF

# ---- 3. every benchmark, with CUDA, one at a time --------------------------
if [ "$BENCH" = 1 ]; then
  echo; echo "===== benchmarks on GPU: $GPU"
  for bench in benchmarks/bench_*.py; do
    name=$(basename "$bench" .py)
    args=()
    grep -q "'--device'" "$bench" && args+=(--device cuda)
    case $name in
      bench_crf_workers|bench_inference_memory) limit=90 ;;
      bench_amp_*|bench_training_step|bench_attention_inference) limit=60 ;;
      *) limit=45 ;;
    esac
    # no benchmark eats into the time kept for the tests
    left=$((BUDGET - TEST_S - (SECONDS - START)))
    if ((left < 15)); then
      echo; echo "===== $name: skipped, ${TEST_S}s are kept for the tests"
      record "$name" "not run" 0 "the ${TEST_S}s kept for the tests"
      continue
    fi
    ((limit > left)) && limit=$left
    step "$name" "$limit" "$PY" "$bench" "${args[@]}"
  done
fi

# ---- 4. the tests that touch CUDA paths, in parallel ----------------------
PYTEST=("$PY" -m pytest -q -rs)
[ "$PYTEST_X" = 1 ] && PYTEST+=(-x)
# each test gets at most what the step has left - 25 s (pytest-timeout), so
# that a test that hangs from the start is failed with its name and stack
# and pytest prints its summary, instead of everything being lost with the
# step (one that starts late can still run past the step)
TEST_LIMIT=$((BUDGET - (SECONDS - START)))
((TEST_LIMIT > 300)) && TEST_LIMIT=300
PER_TEST=$((TEST_LIMIT - 25))
((PER_TEST > 240)) && PER_TEST=240
((PER_TEST < 10)) && PER_TEST=10
"$PY" -c 'import pytest_timeout' >/dev/null 2>&1 \
  && PYTEST+=(--timeout "$PER_TEST")
# pytest-xdist where there is one: N workers, each process 2 CPU threads
if "$PY" -c 'import xdist' >/dev/null 2>&1 && ((WORKERS > 1)); then
  PYTEST=(env OMP_NUM_THREADS=2 "${PYTEST[@]}" -n "$WORKERS")
fi
T=tests/test_tools
# two processes on one GPU: nccl needs a GPU per process; the resume test
# trains on the CPU on any machine (the slowest of the lot, about 100 s on
# 2 threads, with no CUDA path in it)
if [ "$TESTS" != 1 ]; then
  echo; echo "===== tests: left out (GPU_TESTS=$TESTS)"
else
  step pytest-cuda "$TEST_LIMIT" "${PYTEST[@]}" --durations 8 \
    --deselect $T/test_train_test_tools.py::test_dist_train_two_processes_killed_and_resumed \
    --deselect $T/test_attention_label_tools.py::test_two_processes_equal_one \
    --deselect $T/test_segmentation_tools.py::test_resumed_training_equals_uninterrupted \
    tests/test_engine/test_amp.py \
    tests/test_engine/test_hooks/test_rng_state_hook.py \
    $T/test_cuda_distributed.py tests/test_compat/test_compat_distributed.py \
    tests/test_crf.py tests/test_models/test_crf_model.py \
    $T/test_segmentation_tools.py \
    tests/test_apis/test_attention_inferencer.py \
    $T/test_attention_label_tools.py $T/test_train_test_tools.py \
    $T/test_checkpoint_safety.py tests/test_datasets/test_image_channels.py
fi

# ---- 5. summary ------------------------------------------------------------
echo
echo "===== summary: GPU $GPU"
printf '%-28s %-10s %6s  %s\n' step result seconds 'last line'
for i in "${!NAMES[@]}"; do
  printf '%-28s %-10s %6s  %s\n' "${NAMES[$i]}" "${RESULTS[$i]}" \
    "${SECS[$i]}" "${NOTES[$i]}"
done
echo "total: $((SECONDS - START)) s; log: $LOG"
if ((FAILED)); then echo "GPU check: FAILED"; exit 1; fi
echo "GPU check: passed"
