# MAE-MS-KD ablation: feature KD only (cosine on fused neck features),
# beside the student's own losses.
_base_ = ['./mae_ms_kd.py']

model = dict(
    distill_losses=dict(
        _delete_=True,
        loss_kd_feature={{_base_.kd_losses.loss_kd_feature}}),
    loss_forward_mappings=dict(
        _delete_=True,
        loss_kd_feature={{_base_.kd_mappings.loss_kd_feature}}))
