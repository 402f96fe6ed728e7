# The ProS demo's baseline pretraining: a plain MAE of the same ViT as
# ./pros_vit-tiny-p8_1xb64-8e_demo-faces.py (64 dims, 2 layers, 2 heads,
# MLP 128, 64 px, 8 px patches), 8 epochs on the same unlabeled faces. The
# recipe (configs/pros/recipes/pros_demo.py) points it at the curated crops.
_base_ = ['../../fbp/demo/mae_vit-tiny-p8_1xb64-8e_demo-faces.py']

model = dict(
    backbone=dict(arch=dict(embed_dims=64, num_layers=2, num_heads=2,
                            feedforward_channels=128)),
    neck=dict(embed_dim=64))
