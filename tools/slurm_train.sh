#!/usr/bin/env bash
# Usage: tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options...]
# One task per GPU through srun; MMEngine reads the rank and world size from
# SLURM's variables (--launcher slurm). Set GPUS (total, default 8),
# GPUS_PER_NODE (default 8), CPUS_PER_TASK (default 5) and SRUN_ARGS (extra
# srun flags, e.g. "--quotatype=auto") in the environment.
set -x

PARTITION=$1
JOB_NAME=$2
CONFIG=$3
WORK_DIR=${4:-}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
if [ -n "$WORK_DIR" ] && [ "${WORK_DIR#--}" = "$WORK_DIR" ]; then
    EXTRA=(--work-dir "$WORK_DIR" "${@:5}")
else
    EXTRA=("${@:4}")
fi

PYTHONPATH="$(dirname "$0")/..":${PYTHONPATH:-} \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    python -u "$(dirname "$0")/train.py" "$CONFIG" --launcher slurm "${EXTRA[@]}"
