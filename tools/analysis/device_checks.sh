#!/usr/bin/env bash
# The speed issue's checks that need a GPU, as one bounded run.
#
# Usage (from the repository root):
#   OUT=<folder> [PEAK_TFLOPS=989] [CHECKS="fsdp targets"] \
#       [TARGETS="fiqa student inference,..."] [TARGETS_TIMEOUT=420] \
#       bash tools/analysis/device_checks.sh
#
# Checks, each under its own timeout, each writing a log into $OUT:
#   fsdp     fully sharded training for real: the tiny demo MS-MAE with the
#            FSDP config's runner and strategy (2 epochs, then a resume from
#            epoch 1), then the ViT-B FSDP config itself for one short epoch,
#            both through torchrun on one process (gloo on a machine
#            without CUDA, so this part also runs on a CPU);
#   targets  tools/analysis/speed_targets.py (needs CUDA): every GPU target,
#            or the runs named in $TARGETS, comma-separated (their names
#            are in speed_targets.py --list),
#            with --json $OUT/targets.json.
# With a .whl/ folder (../shared/device/prepare_wheels.sh) its wheels are
# installed into /tmp/site first. Exits non-zero when a check fails or a
# target is missed; the logs say which.
set -uo pipefail

OUT=${OUT:?set OUT to the folder for logs and results}
PEAK_TFLOPS=${PEAK_TFLOPS:-989}
CHECKS=${CHECKS:-fsdp targets}
TARGETS=${TARGETS:-}
TARGETS_TIMEOUT=${TARGETS_TIMEOUT:-420}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"

if [ -d .whl ]; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile \
        --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
fi
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda",
torch.cuda.is_available() and torch.cuda.get_device_name(0))' \
    | tee "$OUT/device.txt"

status=0
step() {  # step NAME TIMEOUT COMMAND...: run, log to $OUT/NAME.log, time it
    local name=$1 limit=$2
    shift 2
    local start=$SECONDS
    timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    echo "$name: rc=$rc in $((SECONDS - start)) s (log: $OUT/$name.log)"
    [ $rc -eq 0 ] || { status=1; tail -n 20 "$OUT/$name.log"; }
    return $rc
}

# tools/train.py through torchrun on one process (add --master_port, then
# train.py's arguments, then --launcher pytorch)
torchrun=("$PYTHON" -m torch.distributed.run --nproc_per_node 1)

if [[ " $CHECKS " == *' fsdp '* ]]; then
    mkdir -p "$OUT/fsdp"
    faces=$OUT/fsdp/faces
    step fsdp_faces 120 "$PYTHON" tools/dataset_converters/make_demo_faces.py \
        "$faces" --num-labeled 16 --num-unlabeled 64
    tiny=$OUT/fsdp/tiny_fsdp.py
    "$PYTHON" - "$tiny" <<'EOF'
import os.path as osp
import sys
from mmengine.config import Config
fsdp = Config.fromfile(
    'configs/fbp/ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces_fsdp.py')
with open(sys.argv[1], 'w') as f:
    tiny = osp.abspath('configs/fbp/demo/'
                       'ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py')
    f.write(f'_base_ = [{tiny!r}]\n')
    f.write(f'runner_type = {fsdp.runner_type!r}\n')
    f.write(f'strategy = {fsdp.strategy.to_dict()!r}\n')
EOF
    opts=(train_dataloader.dataset.data_root="$faces"
          train_dataloader.batch_size=8 default_hooks.checkpoint.interval=1
          default_hooks.checkpoint.max_keep_ckpts=2)
    step fsdp_tiny 300 "${torchrun[@]}" --master_port 29651 \
        tools/train.py "$tiny" \
        --work-dir "$OUT/fsdp/tiny" --cfg-options "${opts[@]}" \
        train_cfg.max_epochs=2 --launcher pytorch &&
    step fsdp_tiny_resume 300 "${torchrun[@]}" --master_port 29652 \
        tools/train.py "$tiny" \
        --work-dir "$OUT/fsdp/tiny_resumed" \
        --resume "$OUT/fsdp/tiny/epoch_1.pth" --cfg-options "${opts[@]}" \
        train_cfg.max_epochs=2 --launcher pytorch &&
    { grep -q 'resumed epoch: 1' "$OUT/fsdp_tiny_resume.log" ||
      { echo 'fsdp_tiny_resume: no "resumed epoch: 1" in its log'; status=1; }; }
    step fsdp_vit_base 300 "${torchrun[@]}" --master_port 29653 tools/train.py \
        configs/fbp/ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces_fsdp.py \
        --work-dir "$OUT/fsdp/vit_base" --cfg-options \
        train_dataloader.dataset.data_root="$faces" \
        train_dataloader.dataset.ann_file=unlabeled.txt \
        train_dataloader.batch_size=16 train_dataloader.num_workers=2 \
        train_cfg.max_epochs=1 default_hooks.checkpoint.interval=1 \
        --launcher pytorch
    rm -rf "$faces" "$OUT"/fsdp/*/*.pth
fi

if [[ " $CHECKS " == *' targets '* ]]; then
    only=()
    if [ -n "$TARGETS" ]; then
        IFS=',' read -r -a names <<< "$TARGETS"
        only=(--only "${names[@]}")
    fi
    step targets "$TARGETS_TIMEOUT" "$PYTHON" tools/analysis/speed_targets.py \
        --device cuda --peak-tflops "$PEAK_TFLOPS" --json "$OUT/targets.json" \
        "${only[@]}" && cat "$OUT/targets.log"
fi
exit $status
