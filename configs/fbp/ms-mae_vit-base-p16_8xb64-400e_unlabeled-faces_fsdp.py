# MAE-MS-KD stage 1 (ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py) with
# fully sharded data parallel training instead of DDP: parameters, gradients
# and AdamW states are split over the processes, each ViT layer one FSDP unit
# (fbp_mm.engine.transformer_layer_wrap_policy), so a larger encoder or
# batch fits. MMEngine's FlexibleRunner with its FSDP strategy
# (fbp_mm.engine.FbpFSDPStrategy: MMEngine's, fixed for resuming on current
# PyTorch and for CPU-only machines): weights are initialised before they
# are sharded, and checkpoints are full, saved by rank 0, loadable into the
# plain model. Launch as any distributed run, `tools/dist_train.sh
# THIS_CONFIG 8` (without GPUs: torchrun ... --launcher pytorch, gloo).
# Gradient accumulation works as with DDP (optim_wrapper.accumulative_counts).
_base_ = ['./ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py']

runner_type = 'FlexibleRunner'
strategy = dict(
    type='FbpFSDPStrategy',
    state_dict_cfg='full',  # rank 0 saves unsharded weights and optimizer
    model_wrapper=dict(
        sharding_strategy='FULL_SHARD',
        auto_wrap_policy=dict(type='transformer_layer_wrap_policy'),
        use_orig_params=True))
