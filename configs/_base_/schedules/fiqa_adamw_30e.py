# Efficient-FIQA recipe: AdamW lr 1e-4, weight decay 1e-6, lr x0.1 every
# 10 epochs, 30 epochs, batch 32.
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-6))
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=10, gamma=0.1),
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)
