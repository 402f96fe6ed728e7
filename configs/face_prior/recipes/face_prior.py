# Face-prior as a recipe, from a raw image folder to the downstream rows:
#   python tools/run_recipe.py configs/face_prior/recipes/face_prior.py \
#       --cfg-options vars.raw_images=/data/raw_photos \
#       vars.bp4d=data/BP4D vars.rafdb=data/RAF-DB vars.agedb=data/AgeDB \
#       vars.celeba=data/CelebA
# (add --seeds 0 1 2 for mean ± std; the few-shot subsets follow the seed).
# Stages:
#   curate          faces of the raw folder (dlib HOG detection, 68-point
#                   alignment, 224 px crops); resumable
#   landmarks       68 landmarks of every crop (dlib), the face prior's
#                   targets come from them
#   fp_pretrain     Face-prior ViT-S/16 on the crops (pixel + patch +
#                   component levels, 100 epochs, 8 GPUs)
#   mae_pretrain    plain MAE of the same ViT-S/16 on the same crops (the
#                   baseline initialisation)
#   <task>_<init>   fine-tuning of each initialisation on BP4D / DISFA AUs,
#                   RAF-DB (all, 10-shot) / AffectNet expression, AgeDB /
#                   UTKFace age, CelebA (all, 1%) / LFWA attributes;
#                   checkpoints chosen on validation hold-outs
#   test_*          each once on the test split, at the end
# vars.use_<data>=False leaves a dataset you do not have out (by default
# only CelebA, RAF-DB, AgeDB and BP4D are on).
work_root = 'work_dirs/face_prior'

vars = dict(
    raw_images='data/raw_faces',
    bp4d='data/BP4D',
    disfa='data/DISFA',
    rafdb='data/RAF-DB',
    affectnet='data/AffectNet',
    agedb='data/AgeDB',
    utkface='data/UTKFace',
    celeba='data/CelebA',
    lfwa='data/LFWA',
    use_bp4d=True,
    use_disfa=False,
    use_rafdb=True,
    use_affectnet=False,
    use_agedb=True,
    use_utkface=False,
    use_celeba=True,
    use_lfwa=False,
    fp_pretrain='{{fileDirname}}/../'
    'face-prior_vit-small-p16_8xb64-100e_unlabeled-faces.py',
    mae_pretrain='{{fileDirname}}/../../fbp/'
    'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
)

_curated = {
    'train_dataloader.dataset.data_root': '@curate.data_root',
    'train_dataloader.dataset.ann_file': '@curate.ann_file',
}
_inits = ('mae', 'fp')
# (stage name, config, data var, few-shot?, row label)
_tasks = [
    ('bp4d', 'bp4d-au', 'bp4d', False, 'BP4D AUs (fold 3)'),
    ('disfa', 'disfa-au', 'disfa', False, 'DISFA AUs'),
    ('rafdb', 'rafdb', 'rafdb', False, 'RAF-DB expression, all labels'),
    ('rafdb_10shot', 'rafdb_10shot', 'rafdb', True,
     'RAF-DB expression, 10 per class'),
    ('affectnet', 'affectnet-7', 'affectnet', False,
     'AffectNet expression (7)'),
    ('agedb', 'agedb-age', 'agedb', False, 'AgeDB age'),
    ('utkface', 'utkface-age', 'utkface', False, 'UTKFace age'),
    ('celeba', 'celeba-attributes', 'celeba', False,
     'CelebA attributes, all labels'),
    ('celeba_1pct', 'celeba-attributes_1pct', 'celeba', True,
     'CelebA attributes, 1% of the labels'),
    ('lfwa', 'lfwa-attributes', 'lfwa', False, 'LFWA attributes (40)'),
]


def _data(data, few_shot):
    train = 'train_dataloader.dataset.dataset.data_root' if few_shot \
        else 'train_dataloader.dataset.data_root'
    return {train: f'@vars.{data}',
            'val_dataloader.dataset.data_root': f'@vars.{data}',
            'test_dataloader.dataset.data_root': f'@vars.{data}'}


def _config(task):
    return f'../vit-small-p16_ft-1xb64-30e_{task}.py'


def _finetune(task, config, data, few_shot, init):
    # both pretrainings keep the encoder under 'backbone.'
    return dict(
        name=f'{task}_{init}', type='train', enabled=f'@vars.use_{data}',
        config=_config(config),
        cfg_options={**_data(data, few_shot),
                     'model.backbone.init_cfg.prefix': 'backbone.'},
        inputs={'model.backbone.init_cfg.checkpoint':
                f'@{init}_pretrain.checkpoint'})


def _test(task, config, data, few_shot, init):
    return dict(
        name=f'test_{task}_{init}', type='test', enabled=f'@vars.use_{data}',
        config=_config(config),
        checkpoint=f'@{task}_{init}.checkpoint',
        cfg_options={'test_dataloader.dataset.data_root': f'@vars.{data}'})


stages = [
    dict(name='curate', type='curate', source='@vars.raw_images',
         detector=dict(type='DlibHogFace'), min_size=80, size=224,
         margin=0.2, workers=8),
    dict(name='landmarks', type='landmarks', source='@curate.data_root',
         detector=dict(type='DlibHogFace'), workers=8),
    dict(name='fp_pretrain', type='train', config='@vars.fp_pretrain',
         cfg_options={
             **_curated,
             'train_dataloader.dataset.landmark_file':
             '@landmarks.landmark_file'
         }),
    dict(name='mae_pretrain', type='train', config='@vars.mae_pretrain',
         cfg_options=_curated),
] + [_finetune(*t[:4], init) for t in _tasks for init in _inits] + [
    _test(*t[:4], init) for t in _tasks for init in _inits]

_names = dict(mae='plain MAE init', fp='Face-prior init')
table = dict(
    title='Face-prior',
    rows=[dict(name=f'{t[4]}, {_names[init]}', stage=f'test_{t[0]}_{init}')
          for t in _tasks for init in _inits],
    columns=[('multi-label/f1-score', 'AU F1 (%)', '.2f'),
             ('accuracy/top1', 'expression acc. (%)', '.2f'),
             ('mae', 'age MAE', '.2f'),
             ('mean_accuracy', 'attribute acc. (%)', '.2f'),
             ('params_m', 'params (M)', '.2f'),
             ('gflops', 'GFLOPs', '.2f')])
