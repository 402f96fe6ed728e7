# Efficient-FIQA student: EdgeNeXt-XXS at 352 px (MMPretrain's backbone)
# with a regression head, trained on labeled + both pseudo-labeled sets.
# Within the challenge budget (<= 0.5 GFLOPs, <= 5 M params); check with
#   python tools/analysis/get_flops.py THIS_CONFIG --shape 352 \
#       --max-params 5 --max-gflops 0.5
# tools/self_train.py fills in the pseudo-label lists.
_base_ = [
    '../_base_/datasets/fiqa_bs32.py',
    '../_base_/schedules/fiqa_adamw_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)

# Pseudo-label lists, relative to data_root unless absolute;
# tools/self_train.py
# passes the ones it writes.
pseudo_u1 = 'pseudo_u1.csv'
pseudo_u2 = 'pseudo_u2.csv'

# Labeled and both pseudo-labeled lists read as one dataset; all paths are
# relative to the same images/ folder.
train_dataloader = dict(
    dataset=dict(ann_file=['train.csv', pseudo_u1, pseudo_u2]))

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='EdgeNeXt',
        arch='xxsmall',
        out_indices=(3, ),
        drop_path_rate=0.1,
        gap_before_final_norm=True,
        init_cfg=[
            dict(type='TruncNormal', layer=['Conv2d', 'Linear'], std=.02,
                 bias=0.),
            dict(type='Constant', layer=['LayerNorm'], val=1., bias=0.),
        ]),
    head=dict(
        type='RegressionHead',
        in_channels=168,
        loss=[
            dict(type='MSELoss', loss_weight=1.0),
            dict(type='PLCCLoss', loss_weight=1.0),
        ]))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='srcc',
                    rule='greater'))
