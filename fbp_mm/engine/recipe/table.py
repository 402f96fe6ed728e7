"""The closing table of a recipe: Markdown and JSON from its test stages."""
import json
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence


def markdown_table(rows: List[dict], columns: Sequence[Sequence]) -> str:
    """Rows as a Markdown table.

    Args:
        rows (list[dict]): One dict per row.
        columns (Sequence): ``(key, title, fmt)`` per column; a missing or
            None value prints as ``-``.

    Returns:
        str: The table.

    Example:
        >>> print(markdown_table([dict(name='a', plcc=0.5)],
        ...                      [('name', 'model', ''),
        ...                       ('plcc', 'PLCC', '.2f')]))
        | model | PLCC |
        | --- | --- |
        | a | 0.50 |
    """
    lines = ['| ' + ' | '.join(c[1] for c in columns) + ' |',
             '|' + ' --- |' * len(columns)]
    for row in rows:
        cells = []
        for key, _, fmt in columns:
            value = row.get(key)
            cells.append('-' if value is None else (
                format(value, fmt) if fmt else str(value)))
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def _rows(spec: dict, disabled: Sequence[str]) -> List[dict]:
    return [r for r in spec['rows'] if r['stage'] not in set(disabled)]


def write_table(spec: dict,
                outputs: Dict[str, Dict[str, Any]],
                work_root: str,
                echo: bool = True,
                disabled: Sequence[str] = ()) -> Optional[List[dict]]:
    """Build the recipe's table from its test stages and save it.

    Args:
        spec (dict): The recipe's ``table``: ``rows`` (a list of
            ``dict(name=..., stage=<test stage>)``), ``columns`` (a list of
            ``(key, title, fmt)``; keys are metric names, ``params_m``,
            ``gflops``, ``images_per_s``, ``input_size``, or names of
            ``mean_of``), optional ``mean_of`` (``name -> [keys]``: a
            column that is the mean of others, e.g. the FIQA challenge's
            ``(SRCC + PLCC) / 2``), ``title`` and ``note``.
        outputs (dict): Outputs of the finished stages.
        work_root (str): ``results.md`` and ``results.json`` go here.
        echo (bool): Print the table. Defaults to True.
        disabled (Sequence[str]): Stages the recipe left out; their rows
            are dropped.

    Returns:
        list[dict] | None: The rows, or None when a row's stage has not
        finished (the table is then not written).
    """
    row_specs = _rows(spec, disabled)
    missing = [r['stage'] for r in row_specs if r['stage'] not in outputs]
    if missing:
        if echo:
            print(f'Table skipped: {missing} have not finished.')
        return None
    rows = []
    splits = set()
    for row_spec in row_specs:
        out = outputs[row_spec['stage']]
        row = dict(name=row_spec['name'], stage=row_spec['stage'],
                   **out['metrics'])
        for name, keys in (spec.get('mean_of') or {}).items():
            row[name] = sum(row[k] for k in keys) / len(keys)
        splits.update(out.get('test_files') or [])
        rows.append(row)
    columns = [('name', 'model', '')] + [tuple(c) for c in spec['columns']]
    text = markdown_table(rows, columns)
    if spec.get('title'):
        text = f'{spec["title"]}\n\n{text}'
    where = ', '.join(sorted(osp.basename(s) for s in splits))
    text += (f'\n\nAll rows: the test split ({where}), evaluated once at '
             'the end; checkpoints were selected on validation data.')
    if spec.get('note'):
        text += f'\n{spec["note"]}'
    with open(osp.join(work_root, 'results.md'), 'w') as f:
        f.write(text + '\n')
    with open(osp.join(work_root, 'results.json'), 'w') as f:
        json.dump(dict(rows=rows, test_files=sorted(splits)), f, indent=2)
    if echo:
        print('\n' + text, flush=True)
    return rows


#: Columns that describe the model, not its accuracy: no spread shown.
COST_KEYS = ('params_m', 'gflops', 'images_per_s', 'input_size')


def write_seed_table(spec: dict,
                     per_seed: Dict[int, List[dict]],
                     work_root: str,
                     echo: bool = True,
                     disabled: Sequence[str] = ()) -> List[dict]:
    """Combine per-seed tables into mean ± std and save it.

    Args:
        spec (dict): The recipe's ``table`` (see :func:`write_table`).
        per_seed (dict[int, list[dict]]): Rows of each seed's table.
        work_root (str): ``results_seeds.md`` / ``.json`` go here.
        echo (bool): Print the table. Defaults to True.
        disabled (Sequence[str]): Stages the recipe left out.

    Returns:
        list[dict]: One row per model with ``<key>_mean``, ``<key>_std``
        (sample standard deviation, ddof=1) and ``<key>_values`` per
        numeric column.

    Example:
        >>> # write_seed_table(cfg.table, {0: rows0, 1: rows1}, 'work')
    """
    import numpy as np
    seeds = sorted(per_seed)
    columns = [tuple(c) for c in spec['columns']]
    rows, cells = [], []
    for i, row_spec in enumerate(_rows(spec, disabled)):
        row = dict(name=row_spec['name'], stage=row_spec['stage'],
                   seeds=seeds)
        shown = dict(name=row_spec['name'])
        for key, _, fmt in columns:
            values = [per_seed[s][i].get(key) for s in seeds]
            if any(v is None for v in values):
                continue
            values = [float(v) for v in values]
            mean = float(np.mean(values))
            std = float(np.std(values, ddof=1))
            row.update({f'{key}_mean': mean, f'{key}_std': std,
                        f'{key}_values': values})
            shown[key] = format(mean, fmt) if key in COST_KEYS else \
                f'{mean:{fmt}} ± {std:{fmt}}'
        rows.append(row)
        cells.append(shown)
    text = markdown_table(cells, [('name', 'model', '')] +
                          [(k, t, '') for k, t, _ in columns])
    title = spec.get('title') or 'Recipe'
    text = (f'{title}: mean ± std over seeds {seeds} (sample std)\n\n'
            f'{text}\n\nEach seed: the test split evaluated once at the '
            'end; checkpoints selected on validation data.')
    if spec.get('note'):
        text += f'\n{spec["note"]}'
    with open(osp.join(work_root, 'results_seeds.md'), 'w') as f:
        f.write(text + '\n')
    with open(osp.join(work_root, 'results_seeds.json'), 'w') as f:
        json.dump(dict(seeds=seeds, rows=rows), f, indent=2)
    if echo:
        print('\n' + text, flush=True)
    return rows
