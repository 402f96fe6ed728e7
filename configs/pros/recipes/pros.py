# ProS as a recipe, from a raw image folder to the downstream rows:
#   python tools/run_recipe.py configs/pros/recipes/pros.py \
#       --cfg-options vars.raw_images=/data/raw_photos \
#       vars.celeba=data/CelebA vars.rafdb=data/RAF-DB vars.wflw=data/WFLW
# (add --seeds 0 1 2 for mean ± std; the few-shot subsets follow the seed).
# Stages:
#   curate          faces of the raw folder (dlib HOG detection, 68-point
#                   alignment, 224 px crops); resumable
#   pros_pretrain   ProS ViT-S/16 on the crops (100 epochs, 8 GPUs)
#   mae_pretrain    plain MAE of the same ViT-S/16 on the same crops (the
#                   baseline initialisation)
#   <task>_<init>   fine-tuning of each initialisation (ProS teacher / MAE
#                   encoder) on CelebA attributes (all, 1%), RAF-DB
#                   expression (all, 10-shot) and WFLW landmarks (all,
#                   10%), AFLW-19 landmarks (all; off by default:
#                   vars.use_aflw=True vars.aflw=data/AFLW), checkpoints
#                   chosen on validation splits
#   test_*          each once on the official test split, at the end
# vars.use_<task>=False leaves a dataset you do not have out.
work_root = 'work_dirs/pros'

vars = dict(
    raw_images='data/raw_faces',
    celeba='data/CelebA',
    rafdb='data/RAF-DB',
    wflw='data/WFLW',
    aflw='data/AFLW',
    use_celeba=True,
    use_rafdb=True,
    use_wflw=True,
    use_aflw=False,
    pros_pretrain='{{fileDirname}}/../'
    'pros_vit-small-p16_8xb64-100e_unlabeled-faces.py',
    mae_pretrain='{{fileDirname}}/../../fbp/'
    'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
)

_curated = {
    'train_dataloader.dataset.data_root': '@curate.data_root',
    'train_dataloader.dataset.ann_file': '@curate.ann_file',
}
_inits = dict(
    mae=('@mae_pretrain.checkpoint', 'backbone.'),
    pros=('@pros_pretrain.checkpoint', 'teacher.module.backbone.'),
)
# (stage name, config, data var, few-shot?, row label)
_tasks = [
    ('celeba', 'vit-small-p16_ft-1xb64-30e_celeba-attributes.py', 'celeba',
     False, 'CelebA attributes, all labels'),
    ('celeba_1pct', 'vit-small-p16_ft-1xb64-30e_celeba-attributes_1pct.py',
     'celeba', True, 'CelebA attributes, 1% of the labels'),
    ('rafdb', 'vit-small-p16_ft-1xb64-30e_rafdb.py', 'rafdb', False,
     'RAF-DB expression, all labels'),
    ('rafdb_10shot', 'vit-small-p16_ft-1xb64-30e_rafdb_10shot.py', 'rafdb',
     True, 'RAF-DB expression, 10 per class'),
    ('wflw', 'vit-small-p16_ft-1xb64-60e_wflw.py', 'wflw', False,
     'WFLW landmarks, all labels'),
    ('wflw_10pct', 'vit-small-p16_ft-1xb64-60e_wflw_10pct.py', 'wflw', True,
     'WFLW landmarks, 10% of the labels'),
    ('aflw19', 'vit-small-p16_ft-1xb64-60e_aflw19.py', 'aflw', False,
     'AFLW-19 landmarks (AFLW-Full), all labels'),
]


def _data(data, few_shot):
    train = 'train_dataloader.dataset.dataset.data_root' if few_shot \
        else 'train_dataloader.dataset.data_root'
    return {train: f'@vars.{data}',
            'val_dataloader.dataset.data_root': f'@vars.{data}',
            'test_dataloader.dataset.data_root': f'@vars.{data}'}


def _finetune(task, config, data, few_shot, init):
    checkpoint, prefix = _inits[init]
    return dict(
        name=f'{task}_{init}', type='train', enabled=f'@vars.use_{data}',
        config=f'../{config}',
        cfg_options={**_data(data, few_shot),
                     'model.backbone.init_cfg.prefix': prefix},
        inputs={'model.backbone.init_cfg.checkpoint': checkpoint})


def _test(task, config, data, few_shot, init):
    return dict(
        name=f'test_{task}_{init}', type='test', enabled=f'@vars.use_{data}',
        config=f'../{config}',
        checkpoint=f'@{task}_{init}.checkpoint',
        cfg_options={'test_dataloader.dataset.data_root': f'@vars.{data}'})


stages = [
    dict(name='curate', type='curate', source='@vars.raw_images',
         detector=dict(type='DlibHogFace'), min_size=80, size=224,
         margin=0.2, workers=8),
    dict(name='pros_pretrain', type='train', config='@vars.pros_pretrain',
         cfg_options=_curated),
    dict(name='mae_pretrain', type='train', config='@vars.mae_pretrain',
         cfg_options=_curated),
] + [_finetune(*t[:4], init) for t in _tasks for init in _inits] + [
    _test(*t[:4], init) for t in _tasks for init in _inits]

_names = dict(mae='plain MAE init', pros='ProS init')
table = dict(
    title='ProS',
    rows=[dict(name=f'{t[4]}, {_names[init]}', stage=f'test_{t[0]}_{init}')
          for t in _tasks for init in _inits],
    columns=[('mean_accuracy', 'attribute acc. (%)', '.2f'),
             ('accuracy/top1', 'expression acc. (%)', '.2f'),
             ('nme', 'NME (%)', '.2f'),
             ('failure_rate', 'FR@0.1 (%)', '.1f'),
             ('params_m', 'params (M)', '.2f'),
             ('gflops', 'GFLOPs', '.2f')])
