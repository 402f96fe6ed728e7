# Copyright (c) fbp_mm contributors. All rights reserved.
import json

import pytest

from fbp_mm.generators.cli import ProgressPrinter, run_generator


def test_progress_prints_every_tenth_and_the_end(capsys):
    show = ProgressPrinter(clock=lambda: 0.0)
    for done in range(1, 24):
        show(done, 23)
    lines = capsys.readouterr().out.splitlines()
    # 23 items: the lines fall on the first item past each 10% step.
    assert [line.split()[0] for line in lines] == [
        '[3/23]', '[5/23]', '[7/23]', '[10/23]', '[12/23]', '[14/23]',
        '[17/23]', '[19/23]', '[21/23]', '[23/23]'
    ]
    assert lines[-1] == '[23/23] 100% images (0.0s)'
    with pytest.raises(ValueError, match='step'):
        ProgressPrinter(step=0.0)


def test_exact_tenths_are_printed(capsys):
    show = ProgressPrinter(clock=lambda: 0.0)
    for done in range(1, 11):
        show(done, 10)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == [
        f'{10 * k}%' for k in range(1, 11)
    ]


def test_run_generator_skips_a_complete_folder(capsys):
    calls = []

    def generate(progress):
        calls.append(progress)
        progress(1, 2)
        progress(2, 2)
        return {'n': 2, 'mean': 0.123456, 'hidden': 'x'}

    kwargs = dict(
        out_dir='out',
        what='toy set with the same settings',
        is_complete=lambda: True,
        generate=generate,
        summary_keys=['n'],
        rounded_keys=['mean'],
        clock=lambda: 0.0)
    assert run_generator(**kwargs) == 0
    assert calls == []
    assert capsys.readouterr().out == (
        'out already holds a complete toy set with the same settings; '
        'nothing to do (use --force to regenerate).\n')

    assert run_generator(force=True, **kwargs) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ['[1/2] 50% images (0.0s)', '[2/2] 100% images (0.0s)']
    assert lines[2] == 'Done in 0.0s: out'
    assert json.loads(lines[3]) == {'n': 2, 'mean': 0.1235}
    assert len(calls) == 1
