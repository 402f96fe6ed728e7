# MAE-MS-KD stage 1 (ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py) with
# fully sharded data parallel training instead of DDP: parameters, gradients
# and AdamW states are split over the GPUs, each ViT layer one FSDP unit
# (fbp_mm.engine.transformer_layer_wrap_policy), so a larger encoder or
# batch fits. MMEngine's MMFullyShardedDataParallel; launch as any
# distributed run, `tools/dist_train.sh THIS_CONFIG 8`.
# Gradient accumulation works as with DDP (optim_wrapper.accumulative_counts).
_base_ = ['./ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py']

model_wrapper_cfg = dict(
    type='MMFullyShardedDataParallel',
    sharding_strategy='FULL_SHARD',
    auto_wrap_policy=dict(type='transformer_layer_wrap_policy'),
    use_orig_params=True)
