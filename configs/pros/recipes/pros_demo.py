# ProS at demo size on the synthetic demo faces (`make demo-pros`):
#   python tools/dataset_converters/make_demo_faces.py data/demo_faces \
#       --num-labeled 800 --num-unlabeled 4000
#   python tools/dataset_converters/make_non_faces.py data/demo_non_faces
#   python tools/run_recipe.py configs/pros/recipes/pros_demo.py
# (add --seeds 0 1 2 for mean ± std). Stages:
#   curate           the raw folder (4,000 unlabeled synthetic faces + 400
#                    photos without faces) -> aligned 64 px face crops
#                    (dlib HOG detector, 68-point alignment)
#   pros_pretrain    ProS on the crops (tiny ViT, 8 epochs)
#   dino_pretrain    the same without the prototype loss (ablation)
#   mae_pretrain     plain MAE of the same ViT on the same crops (baseline)
#   attr_* / lmk_*   few-shot fine-tuning (10% of the training split,
#                    seeded) of random / MAE / DINO / ProS initialisations
#                    for the 4 attributes and the 68 landmarks; checkpoints
#                    chosen on the validation split
#   test_*           each once on the test split, at the end
work_root = 'work_dirs/pros_demo'

vars = dict(
    raw_faces='data/demo_faces/unlabeled',
    non_faces='data/demo_non_faces',
    data_root='data/demo_faces',
    pros_pretrain='{{fileDirname}}/../demo/'
    'pros_vit-tiny-p8_1xb64-8e_demo-faces.py',
    mae_pretrain='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
    attributes='{{fileDirname}}/../demo/'
    'vit-tiny-p8_attributes-fewshot-10pct_demo-faces.py',
    landmarks='{{fileDirname}}/../demo/'
    'vit-tiny-p8_landmarks-fewshot-10pct_demo-faces.py',
)

_curated = {
    'train_dataloader.dataset.data_root': '@curate.data_root',
    'train_dataloader.dataset.ann_file': '@curate.ann_file',
}
_labeled = {
    'train_dataloader.dataset.dataset.data_root': '@vars.data_root',
    'val_dataloader.dataset.data_root': '@vars.data_root',
    'test_dataloader.dataset.data_root': '@vars.data_root',
}
# where each initialisation's encoder sits in its checkpoint
_inits = dict(
    random=(None, None),
    mae=('@mae_pretrain.checkpoint', 'backbone.'),
    dino=('@dino_pretrain.checkpoint', 'teacher.module.backbone.'),
    pros=('@pros_pretrain.checkpoint', 'teacher.module.backbone.'),
)


def _finetune(task, config, init):
    checkpoint, prefix = _inits[init]
    if checkpoint is None:
        return dict(name=f'{task}_{init}', type='train', config=config,
                    cfg_options={**_labeled, 'model.backbone.init_cfg': None})
    return dict(
        name=f'{task}_{init}', type='train', config=config,
        cfg_options={**_labeled, 'model.backbone.init_cfg': dict(
            _delete_=True, type='Pretrained', prefix=prefix)},
        inputs={'model.backbone.init_cfg.checkpoint': checkpoint})


def _test(task, config, init):
    return dict(name=f'test_{task}_{init}', type='test', config=config,
                checkpoint=f'@{task}_{init}.checkpoint',
                cfg_options={
                    'test_dataloader.dataset.data_root': '@vars.data_root'})


_tasks = [('attr', '@vars.attributes'), ('lmk', '@vars.landmarks')]

stages = [
    dict(name='curate', type='curate',
         source=['@vars.raw_faces', '@vars.non_faces'],
         detector=dict(type='DlibHogFace'), min_size=40, size=64,
         margin=0.2),
    dict(name='pros_pretrain', type='train', config='@vars.pros_pretrain',
         cfg_options=_curated),
    dict(name='dino_pretrain', type='train', config='@vars.pros_pretrain',
         cfg_options={**_curated, 'model.head.proto_loss_weight': 0.0}),
    dict(name='mae_pretrain', type='train', config='@vars.mae_pretrain',
         cfg_options=_curated),
] + [_finetune(task, config, init) for task, config in _tasks
     for init in _inits] + [
    _test(task, config, init) for task, config in _tasks for init in _inits]

_names = dict(random='random init', mae='plain MAE init',
              dino='DINO init (ProS without prototypes)', pros='ProS init')
table = dict(
    title='ProS demo (synthetic faces, few-shot: 10% of the training '
    'labels; shows the recipe runs, says nothing about real faces)',
    rows=[dict(name=f'{label}, {_names[init]}', stage=f'test_{task}_{init}')
          for task, label in (('attr', 'attributes'), ('lmk', 'landmarks'))
          for init in _inits],
    columns=[('mean_accuracy', 'attribute acc. (%)', '.2f'),
             ('nme', 'NME (%)', '.2f'),
             ('failure_rate', 'FR@0.1 (%)', '.1f'),
             ('params_m', 'params (M)', '.3f'),
             ('gflops', 'GFLOPs', '.3f')])
