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
#   attr_* / beauty_*      few-shot fine-tuning (10% of the training split,
#                          seeded) of random / MAE / Face-prior (and its
#                          ablations) initialisations for the 4 attributes
#                          and the beauty score; checkpoints chosen on the
#                          validation split
#   test_*                 each once on the test split, at the end
work_root = 'work_dirs/face_prior_demo'

vars = dict(
    data_root='data/demo_faces',
    face_prior='{{fileDirname}}/../demo/'
    'face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py',
    mae='{{fileDirname}}/../demo/mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
    attributes='{{fileDirname}}/../../pros/demo/'
    'vit-tiny-p8_attributes-fewshot-10pct_demo-faces.py',
    beauty='{{fileDirname}}/../demo/'
    'vit-tiny-p8_beauty-fewshot-10pct_demo-faces.py',
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


def _finetune(task, config, init):
    if init == 'random':
        return dict(name=f'{task}_{init}', type='train', config=config,
                    cfg_options={**_labeled, 'model.backbone.init_cfg': None})
    # MAE and FacePrior both keep the encoder under 'backbone.'
    return dict(
        name=f'{task}_{init}', type='train', config=config,
        cfg_options={**_labeled, 'model.backbone.init_cfg': dict(
            _delete_=True, type='Pretrained', prefix='backbone.')},
        inputs={'model.backbone.init_cfg.checkpoint':
                f'@{init}_pretrain.checkpoint'})


def _test(task, config, init):
    return dict(name=f'test_{task}_{init}', type='test', config=config,
                checkpoint=f'@{task}_{init}.checkpoint',
                cfg_options={
                    'test_dataloader.dataset.data_root': '@vars.data_root'})


_tasks = [('attr', '@vars.attributes'), ('beauty', '@vars.beauty')]

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
] + [_finetune(task, config, init) for task, config in _tasks
     for init in _inits] + [
    _test(task, config, init) for task, config in _tasks for init in _inits]

_names = dict(
    random='random init', mae='plain MAE init',
    fp='Face-prior init (pixel + patch + component)',
    fp_no_pixel='Face-prior without the pixel level',
    fp_no_patch='Face-prior without the patch level',
    fp_no_component='Face-prior without the component level')
table = dict(
    title='Face-prior demo (synthetic faces, few-shot: 10% of the training '
    'labels; says nothing about real faces)',
    rows=[dict(name=f'{label}, {_names[init]}', stage=f'test_{task}_{init}')
          for task, label in (('attr', 'attributes'), ('beauty', 'beauty'))
          for init in _inits],
    columns=[('mean_accuracy', 'attribute acc. (%)', '.2f'),
             ('plcc', 'beauty PLCC', '.3f'),
             ('srcc', 'beauty SRCC', '.3f'),
             ('mae', 'beauty MAE', '.3f'),
             ('params_m', 'params (M)', '.3f')])
