"""The recipe runner on a toy recipe of three short stages."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from fbp_mm.engine.recipe import RecipeError, RecipeRunner, read_record
from fbp_mm.engine.recipe.runner import START_ENV

HERE = osp.dirname(osp.abspath(__file__))
REPO_ROOT = osp.dirname(osp.dirname(HERE))

RECIPE = """
custom_imports = dict(imports=['toy_stages'], allow_failed_imports=False)
work_root = {root!r}
vars = dict(first='a')
stages = [
    dict(name='one', type='toy', value='@vars.first'),
    dict(name='two', type='toy', value='b', source='@one.result',
         steps={steps}, delay={delay}),
    dict(name='three', type='toy', value='c', source='@two.result'),
]
"""


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A toy recipe file and its work root; the workers find toy_stages."""
    monkeypatch.syspath_prepend(HERE)
    monkeypatch.setenv(
        'PYTHONPATH',
        os.pathsep.join(p for p in (HERE, os.environ.get('PYTHONPATH'))
                        if p))
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    root = str(tmp_path / 'work')

    def write(steps=3, delay=0.0):
        path = tmp_path / 'recipe.py'
        path.write_text(RECIPE.format(root=root, steps=steps, delay=delay))
        return str(path)

    return write, root


def here(recipe, cfg_options=None):
    """A runner that runs the stages in this process (quicker)."""
    return RecipeRunner(recipe, cfg_options=cfg_options, in_process=True)


def journal(root):
    path = osp.join(root, 'journal.txt')
    if not osp.isfile(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def result(root, name):
    with open(osp.join(root, name, 'result.txt')) as f:
        return f.read()


def test_second_run_skips_and_changed_input_reruns_downstream(toy, capsys):
    write, root = toy
    recipe = write()
    here(recipe).run()
    assert journal(root) == ['one fresh', 'two fresh', 'three fresh']
    assert result(root, 'three') == 'c+b+a'

    here(recipe).run()
    assert journal(root) == ['one fresh', 'two fresh', 'three fresh']
    assert capsys.readouterr().out.count('up to date, skipped') == 3

    # Stage one's input changes: one, two and three run again.
    here(recipe, {'vars.first': 'z'}).run()
    assert journal(root)[3:] == ['one fresh', 'two fresh', 'three fresh']
    assert result(root, 'three') == 'c+b+z'
    record = read_record(osp.join(root, 'two'))
    assert record['status'] == 'done'
    assert record['spec']['source'] == osp.join(root, 'one', 'result.txt')


def test_forced_stage_makes_downstream_stale(toy, capsys):
    write, root = toy
    recipe = write()
    here(recipe).run()
    # Stage one now gives another result, but only one is run.
    here(recipe, {'vars.first': 'y'}).run(only=['one'])
    out = capsys.readouterr().out
    assert '[two] stale' in out and '[three] stale' in out
    for name in ('two', 'three'):  # old outputs are never handed on
        assert read_record(osp.join(root, name)) is None
    with pytest.raises(RecipeError, match=r"needs \['two'\] finished"):
        here(recipe).run(only=['three'])
    here(recipe, {'vars.first': 'y'}).run()
    assert result(root, 'three') == 'c+b+y'
    assert journal(root)[-2:] == ['two fresh', 'three fresh']

    # --force on an unchanged stage re-runs it and what uses it.
    here(recipe, {'vars.first': 'y'}).run(
        only=['one', 'two', 'three'], force=True)
    assert journal(root)[-3:] == ['one fresh', 'two fresh', 'three fresh']


def test_bad_recipes_are_refused(tmp_path, toy):
    write, root = toy
    bad = tmp_path / 'bad.py'
    bad.write_text(RECIPE.format(root=root, steps=3, delay=0).replace(
        "source='@one.result',", "source='@three.result',"))
    with pytest.raises(RecipeError, match='no earlier stage'):
        RecipeRunner(str(bad))
    bad.write_text(RECIPE.format(root=root, steps=3, delay=0).replace(
        '@one.result', '@one.checkpoint'))
    with pytest.raises(RecipeError, match=r"outputs \['result'\]"):
        RecipeRunner(str(bad))
    with pytest.raises(RecipeError, match='Unknown stages'):
        RecipeRunner(write()).run(only=['four'])


def _start_runner(recipe, start_method='fork'):
    return subprocess.Popen(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'run_recipe.py'),
         recipe],
        env={**os.environ, START_ENV: start_method},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)


def _wait_for(predicate, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _steps(root, name):
    path = osp.join(root, name, 'progress.txt')
    if not osp.isfile(path):
        return 0
    with open(path) as f:
        return len(f.read().splitlines())


def _alive(pid):
    try:
        with open(f'/proc/{pid}/status') as f:
            return 'State:\tZ' not in f.read()
    except FileNotFoundError:
        return False


def _worker_pid(root, name):
    with open(osp.join(root, name, '.stage.lock')) as f:
        return int(f.read().split()[-1])


@pytest.mark.parametrize('start_method', ['fork', 'spawn'])
def test_killed_runner_leaves_no_child_and_resumes(toy, start_method):
    write, root = toy
    recipe = write(steps=8, delay=0.4)
    proc = _start_runner(recipe, start_method)
    try:
        assert _wait_for(lambda: _steps(root, 'two') >= 2), \
            proc.stdout.read() if proc.poll() is not None else 'too slow'
        worker = _worker_pid(root, 'two')
        assert _alive(worker)
        # A second runner on the same work root is refused.
        with pytest.raises(RecipeError, match='in use by run_recipe pid'):
            RecipeRunner(recipe).run()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not _alive(worker), timeout=20), \
        'the stage kept running after its runner was killed'
    stopped_at = _steps(root, 'two')
    assert 2 <= stopped_at < 8
    assert read_record(osp.join(root, 'two'))['status'] == 'running'

    here(recipe).run()
    assert journal(root) == [
        'one fresh', 'two fresh', f'two resumed from {stopped_at}',
        'three fresh'
    ]
    with open(osp.join(root, 'two', 'progress.txt')) as f:
        assert f.read().splitlines() == [f'step {i}' for i in range(8)]


def test_failed_stage_names_its_log_and_runner_goes_on(toy, capsys):
    start_method = 'fork'  # spawn: the same code after the child starts
    write, root = toy
    recipe = write()
    failing = {'stages.1.fail': True}
    runner = RecipeRunner(recipe, cfg_options=failing,
                          start_method=start_method)
    with pytest.raises(RecipeError) as info:
        runner.run()
    log = osp.join(root, 'two', 'stage.log')
    assert str(info.value) == (f"Stage 'two' failed (exit 1); full log: "
                               f'{log}. Run again to resume it.')
    with open(log) as f:
        text = f.read()
    assert 'RuntimeError: two fails on purpose' in text
    assert 'RuntimeError: two fails on purpose' in capsys.readouterr().err
    assert read_record(osp.join(root, 'two'))['status'] == 'running'
    # this process is unharmed (a forked child never returns into it)
    RecipeRunner(recipe, start_method=start_method).run()
    assert journal(root) == [
        'one fresh', 'two fresh', 'two resumed from 0', 'three fresh'
    ]
    assert result(root, 'three') == 'c+b+a'


def test_unknown_start_method_is_refused(toy, monkeypatch):
    write, _ = toy
    monkeypatch.setenv(START_ENV, 'thread')
    with pytest.raises(RecipeError, match=r"Unknown stage start method "
                       r"'thread' \(from FBP_MM_RECIPE_START or "
                       r"start_method\); choose one of \('fork', 'spawn'\)"):
        RecipeRunner(write())


def test_interrupted_stage_with_new_inputs_starts_over(toy):
    """A stage never resumes rows made from an older upstream result."""
    write, root = toy
    recipe = write(steps=8, delay=0.4)
    proc = _start_runner(recipe)
    try:
        assert _wait_for(lambda: _steps(root, 'two') >= 2)
        proc.send_signal(signal.SIGTERM)  # a polite stop this time
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out
    assert 'interrupted' in out
    # Stage one is "retrained": stage two's partial work is dropped.
    here(recipe, {'vars.first': 'new'}).run()
    assert journal(root)[-3:] == ['one fresh', 'two fresh', 'three fresh']
    assert result(root, 'three') == 'c+b+new'


SEEDED = """
custom_imports = dict(imports=['toy_stages'], allow_failed_imports=False)
work_root = {root!r}
stages = [dict(name='fit', type='toy_seeded')]
table = dict(title='Toy', rows=[dict(name='model', stage='fit')],
             columns=[('plcc', 'PLCC', '.2f'), ('params_m', 'params', '.1f')])
"""


def test_seeds_run_apart_and_report_mean_and_std(toy, tmp_path):
    _, root = toy
    recipe = tmp_path / 'seeded.py'
    recipe.write_text(SEEDED.format(root=root))
    rows = RecipeRunner(str(recipe), in_process=True).run_seeds([0, 1, 2])
    row = rows[0]
    assert row['plcc_values'] == pytest.approx([0.5, 0.6, 0.7])
    assert row['plcc_mean'] == pytest.approx(0.6)
    assert row['plcc_std'] == pytest.approx(0.1)  # sample std (ddof=1)
    for seed in (0, 1, 2):
        assert read_record(osp.join(root, f'seed_{seed}', 'fit'))[
            'spec']['cfg_options'] == {'randomness.seed': seed}
    with open(osp.join(root, 'results_seeds.md')) as f:
        text = f.read()
    assert '| model | 0.60 ± 0.10 | 1.0 |' in text
    assert 'seeds [0, 1, 2]' in text
    with pytest.raises(RecipeError, match='two different seeds'):
        RecipeRunner(str(recipe), in_process=True).run_seeds([3])


def test_seeds_with_chosen_stages_run_every_seed(toy, tmp_path):
    """``--stages`` that leave a table row out still run on each seed."""
    _, root = toy
    recipe = tmp_path / 'seeded.py'
    recipe.write_text(
        SEEDED.format(root=root).replace(
            "stages = [dict(name='fit', type='toy_seeded')]",
            "stages = [dict(name='fit', type='toy_seeded'), "
            "dict(name='later', type='toy_seeded')]").replace(
                "stage='fit'", "stage='later'"))
    rows = RecipeRunner(str(recipe), in_process=True).run_seeds(
        [0, 1], only=['fit'])
    assert rows is None  # no table without stage `later`
    for seed in (0, 1):
        assert read_record(osp.join(root, f'seed_{seed}', 'fit'))[
            'status'] == 'done'
        assert not osp.exists(osp.join(root, f'seed_{seed}', 'later'))


def test_disabled_stage_leaves_out_what_uses_it(toy, capsys):
    write, root = toy
    recipe = write()
    here(recipe, {'stages.1.enabled': False}).run()
    assert journal(root) == ['one fresh']
    out = capsys.readouterr().out
    assert '[two] disabled' in out
    assert "[three] disabled (needs disabled ['two'])" in out
    with pytest.raises(RecipeError, match='must be True or False'):
        here(recipe, {'stages.1.enabled': 'yes'}).run()
