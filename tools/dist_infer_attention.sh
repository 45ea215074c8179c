#!/usr/bin/env bash
# bash tools/dist_infer_attention.sh CONFIG CKPT NPROC --out-dir DIR [...]
set -e
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
PORT=${PORT:-29500}
PYTHON=${PYTHON:-python}
"$PYTHON" -m torch.distributed.run --nproc_per_node="$NPROC" \
    --master_port="$PORT" "$(dirname "$0")/infer_attention.py" \
    "$CONFIG" "$CHECKPOINT" --launcher pytorch "${@:4}"
