# Face-prior at demo size on the synthetic demo faces
# (`make demo-face-prior`):
#   python tools/dataset_converters/make_demo_faces.py data/demo_faces \
#       --num-labeled 800 --num-unlabeled 4000
#   python tools/run_recipe.py configs/face_prior/recipes/face_prior_demo.py
# (add --seeds 0 1 2 for mean ± std). Stages:
#   fp_pretrain            Face-prior, all three levels, on the 4,000
#                          unlabeled faces and their 68 landmarks (8 epochs)
#   fp_no_{pixel,patch,component}
#                          the same with one level switched off (ablation)
#   mae_pretrain           MMPretrain's plain MAE of the same ViT, same
#                          faces, views and schedule (the baseline)
#   attr_* / beauty_*      few-shot linear probes (10% of the training
#                          split, seeded; the encoder frozen, a linear head
#                          trained) of random / MAE / Face-prior (and its
#                          ablations) encoders for the 4 attributes and the
#                          beauty score; checkpoints chosen on the
#                          validation split
#   attr_all_* / beauty_all_*
#                          the same probes on every training label (the
#                          representation's quality without the few-shot
#                          noise)
#   test_*                 each once on the test split, at the end
work_root = 'work_dirs/face_prior_demo'

vars = dict(
    data_root='data/demo_faces',
    all_labels=True,  # False leaves the all-label probes out
    face_prior='{{fileDirname}}/../demo/'
    'face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py',
    mae='{{fileDirname}}/../demo/mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
    attributes='{{fileDirname}}/../demo/'
    'vit-tiny-p8_attributes-linear-10pct_demo-faces.py',
    beauty='{{fileDirname}}/../demo/'
    'vit-tiny-p8_beauty-linear-10pct_demo-faces.py',
)

_unlabeled = {'train_dataloader.dataset.data_root': '@vars.data_root'}
_labeled = {
    'train_dataloader.dataset.dataset.data_root': '@vars.data_root',
    'val_dataloader.dataset.data_root': '@vars.data_root',
    'test_dataloader.dataset.data_root': '@vars.data_root',
}
# a level is off when its head is None (the pixel level: decoder too)
_levels_off = dict(
    pixel={'model.neck': None, 'model.pixel_head': None},
    patch={'model.patch_head': None},
    component={'model.component_head': None},
)
_inits = ['random', 'mae', 'fp', 'fp_no_pixel', 'fp_no_patch',
          'fp_no_component']


# a second label budget: every training label (432 faces), 20 epochs
_all_labels = {
    'train_dataloader.dataset.fraction': 1.0,
    'train_cfg.max_epochs': 20,
    'param_scheduler.0.T_max': 20,
    'param_scheduler.0.end': 20,
}


def _finetune(task, config, init, extra):
    options = {**_labeled, **extra}
    if init == 'random':
        return dict(name=f'{task}_{init}', type='train', config=config,
                    enabled=_on[task],
                    cfg_options={**options, 'model.backbone.init_cfg': None})
    # MAE and FacePrior both keep the encoder under 'backbone.'
    return dict(
        name=f'{task}_{init}', type='train', config=config,
        enabled=_on[task],
        cfg_options={**options, 'model.backbone.init_cfg': dict(
            _delete_=True, type='Pretrained', prefix='backbone.')},
        inputs={'model.backbone.init_cfg.checkpoint':
                f'@{init}_pretrain.checkpoint'})


def _test(task, config, init, extra):
    return dict(name=f'test_{task}_{init}', type='test', config=config,
                enabled=_on[task], checkpoint=f'@{task}_{init}.checkpoint',
                cfg_options={
                    'test_dataloader.dataset.data_root': '@vars.data_root'})


# (stage prefix, config, extra options, row label)
_tasks = [
    ('attr', '@vars.attributes', {}, 'attributes, 10%'),
    ('beauty', '@vars.beauty', {}, 'beauty, 10%'),
    ('attr_all', '@vars.attributes', _all_labels, 'attributes, all labels'),
    ('beauty_all', '@vars.beauty', _all_labels, 'beauty, all labels'),
]
_on = dict(attr=True, beauty=True, attr_all='@vars.all_labels',
           beauty_all='@vars.all_labels')

stages = [
    dict(name='fp_pretrain', type='train', config='@vars.face_prior',
         cfg_options=_unlabeled),
] + [
    dict(name=f'fp_no_{level}_pretrain', type='train',
         config='@vars.face_prior', cfg_options={**_unlabeled, **off})
    for level, off in _levels_off.items()
] + [
    dict(name='mae_pretrain', type='train', config='@vars.mae',
         cfg_options=_unlabeled),
] + [_finetune(task, config, init, extra)
     for task, config, extra, _ in _tasks for init in _inits] + [
    _test(task, config, init, extra) for task, config, extra, _ in _tasks
    for init in _inits]

_names = dict(
    random='random init', mae='plain MAE init',
    fp='Face-prior init (pixel + patch + component)',
    fp_no_pixel='Face-prior without the pixel level',
    fp_no_patch='Face-prior without the patch level',
    fp_no_component='Face-prior without the component level')
table = dict(
    title='Face-prior demo (synthetic faces, linear probes on 10% and on all '
    'of the training labels; says nothing about real faces)',
    rows=[dict(name=f'{label}, {_names[init]}', stage=f'test_{task}_{init}')
          for task, _, _, label in _tasks for init in _inits],
    columns=[('mean_accuracy', 'attribute acc. (%)', '.2f'),
             ('plcc', 'beauty PLCC', '.3f'),
             ('srcc', 'beauty SRCC', '.3f'),
             ('mae', 'beauty MAE', '.3f'),
             ('params_m', 'params (M)', '.3f')])
