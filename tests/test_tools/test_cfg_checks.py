"""Checks of command-line input before any work starts."""
import pytest
from mmengine.config import Config

from fbp_mm.utils import check_out_file, unknown_cfg_options

CFG = Config(
    dict(
        load_from=None,
        model=dict(type='ImageClassifier',
                   head=dict(loss=dict(type='MSELoss', loss_weight=1.0))),
        param_scheduler=[dict(type='LinearLR', end=5)]))


def test_known_keys_pass_and_misspelt_ones_are_named_with_a_suggestion():
    assert unknown_cfg_options(CFG, {
        'load_from': 'a.pth',
        'model.head.loss.loss_weight': 2.0,
        'param_scheduler.0.end': 3,
        'model.head._delete_': True,
    }) == []
    [top] = unknown_cfg_options(CFG, {'lod_from': 'a.pth'})
    assert top.startswith('--cfg-options lod_from: the config has no key '
                          "'lod_from' (did you mean 'load_from'?)")
    [deep] = unknown_cfg_options(CFG, {'model.head.los.loss_weight': 2})
    assert "'model.head' has no key 'los' (did you mean 'loss'?)" in deep
    [new] = unknown_cfg_options(CFG, {'model.neck': None})
    assert "'model' has no key 'neck';" in new and 'did you mean' not in new
    [index] = unknown_cfg_options(CFG, {'param_scheduler.2.end': 3})
    assert "param_scheduler is a list of 1, '2' is not one of its" in index


def test_out_files_the_test_tool_cannot_write_are_refused(tmp_path):
    check_out_file(str(tmp_path / 'preds.pkl'), 'pred')
    check_out_file(str(tmp_path / 'metrics.json'), 'metrics')
    check_out_file(str(tmp_path / 'metrics.yaml'), 'metrics')
    with pytest.raises(ValueError, match=r'--out-item pred is written as '
                       r'\.pkl / \.pickle, not \.csv; nothing was run'):
        check_out_file(str(tmp_path / 'preds.csv'), 'pred')
    with pytest.raises(ValueError, match='not a file without extension'):
        check_out_file(str(tmp_path / 'metrics'), 'metrics')
    (tmp_path / 'a_file').write_text('x')
    with pytest.raises(ValueError, match='is a file, not a folder'):
        check_out_file(str(tmp_path / 'a_file' / 'm.json'), 'metrics')


def test_a_missing_data_folder_is_named_with_where_to_get_the_data(tmp_path):
    from fbp_mm.utils import check_data_roots
    cfg = Config(
        dict(
            train_dataloader=dict(dataset=dict(
                type='FewShotDataset', fraction=0.1,
                dataset=dict(type='CelebAAttributes',
                             data_root=str(tmp_path / 'CelebA')))),
            test_dataloader=dict(dataset=dict(type='SCUTFBP5500',
                                              data_root=str(tmp_path)))))
    check_data_roots(cfg, ('test_dataloader', ))  # exists
    with pytest.raises(FileNotFoundError) as err:
        check_data_roots(cfg)
    message = str(err.value)
    assert message.startswith(
        f"train_dataloader: CelebAAttributes data_root "
        f"'{tmp_path / 'CelebA'}' is not a folder")
    assert 'Anno/list_attr_celeba.txt' in message
    assert 'train_dataloader.dataset.dataset.data_root=/path' in message


def test_train_tool_stops_on_a_missing_data_folder_without_a_traceback(
        tmp_path):
    from tool_runner import DEMO_CONFIG, python_tool, run_tool
    missing = str(tmp_path / 'no_such_data')
    proc = run_tool(
        python_tool('train.py', DEMO_CONFIG, '--work-dir', str(tmp_path),
                    '--cfg-options',
                    f'train_dataloader.dataset.data_root={missing}'),
        check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr
    assert (f"error: train_dataloader: SCUTFBP5500 data_root '{missing}' is "
            f'not a folder') in proc.stderr
    assert 'make_demo_faces.py' in proc.stderr


def test_cuda_asked_for_on_a_cpu_machine(monkeypatch, capsys):
    import torch

    from fbp_mm.apis.predict_cli import main as predict_main
    from fbp_mm.apis.pseudo_label import main as pseudo_label_main
    from fbp_mm.utils import check_device
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    check_device('cpu')
    with pytest.raises(ValueError, match='--device cuda:1: this machine has '
                       'no CUDA device .*; use --device cpu'):
        check_device('cuda:1')
    # the tools say it before building anything (the files need not exist)
    assert predict_main(['cfg.py', 'x.pth', 'img.png', '--out', 'o.csv',
                         '--device', 'cuda']) == 1
    assert 'error: --device cuda: this machine has no CUDA device' in \
        capsys.readouterr().out
    assert pseudo_label_main(['cfg.py', 'x.pth', '--unlabeled', 'u',
                              '--out', 'o.csv', '--device', 'cuda']) == 1
    assert 'error: --device cuda: this machine has no CUDA device' in \
        capsys.readouterr().out


def test_misspelt_hook_arguments_are_named_before_any_work(tmp_path):
    import os.path as osp

    from tool_runner import REPO_ROOT, python_tool, run_tool

    from fbp_mm.utils import check_hook_args
    config = osp.join(REPO_ROOT, 'configs', 'fbp',
                      'resnet18-w16_1xb32-20e_demo-faces.py')
    cfg = Config.fromfile(config)
    check_hook_args(cfg)  # the config as it ships is fine
    cfg.custom_hooks = [dict(type='ScoreVisualizationHook', intervall=5)]
    with pytest.raises(ValueError, match=r"custom_hooks\[0\] "
                       r"\(ScoreVisualizationHook\) has no argument "
                       r"'intervall' \(did you mean 'interval'\?\); it "
                       r"takes out_dir, show, interval, wait_time\."):
        check_hook_args(cfg)
    # EMAHook hands the rest to its averaged model
    cfg.custom_hooks = [dict(type='EMAHook', momentum=1e-4)]
    check_hook_args(cfg)
    cfg.custom_hooks = [dict(type='EMAHook', momentun=1e-4)]
    with pytest.raises(ValueError, match="'momentun' \\(did you mean "
                       "'momentum'"):
        check_hook_args(cfg)
    cfg.custom_hooks = [dict(type='EMAHok')]
    with pytest.raises(ValueError, match="no hook type 'EMAHok' is "
                       r"registered \(did you mean 'EMAHook'\?\)"):
        check_hook_args(cfg)
    # CheckpointHook's other arguments go to Runner.save_checkpoint at its
    # first save: checked against that, before the run
    proc = run_tool(python_tool(
        'train.py', config, '--work-dir', str(tmp_path), '--cfg-options',
        'default_hooks.checkpoint.save_bst=plcc'), check=False)
    assert proc.returncode == 1
    assert ("error: default_hooks.checkpoint (CheckpointHook) has no "
            "argument 'save_bst' (did you mean 'save_best'?)") in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert not list(tmp_path.glob('*/*.log'))  # nothing ran
