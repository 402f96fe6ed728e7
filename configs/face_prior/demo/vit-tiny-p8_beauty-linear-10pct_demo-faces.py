# Few-shot beauty-score regression by linear probing, the Face-prior demo's
# protocol: the task of ./vit-tiny-p8_beauty-fewshot-10pct_demo-faces.py
# (43 faces, PLCC on the validation split, tested once) with the demo ViT
# frozen as in ./vit-tiny-p8_attributes-linear-10pct_demo-faces.py; only
# the head learns.
_base_ = ['./vit-tiny-p8_beauty-fewshot-10pct_demo-faces.py']

model = dict(backbone=dict(out_type='avg_featmap', frozen_stages=2))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-2, weight_decay=1e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=60, by_epoch=True, begin=0,
         end=60, eta_min=1e-4, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=60, val_interval=1)
