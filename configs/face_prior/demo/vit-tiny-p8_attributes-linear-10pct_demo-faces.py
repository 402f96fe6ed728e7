# Few-shot attributes by linear probing, the Face-prior demo's protocol:
# the ProS demo's attribute task (4 attributes, a seeded 10% of the
# training split: 43 faces, checkpoint on the validation split, tested
# once) with the demo ViT frozen (MMPretrain VisionTransformer
# frozen_stages = both layers, with the patch and position embeddings and
# the norms), its patch tokens averaged and layer-normalised
# (out_type='avg_featmap'); only the head learns, AdamW at 1e-2, cosine
# over 60 epochs, validated every epoch.
_base_ = ['../../pros/demo/vit-tiny-p8_attributes-fewshot-10pct_demo-faces.py']

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
