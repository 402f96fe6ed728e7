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


def write_table(spec: dict, outputs: Dict[str, Dict[str, Any]],
                work_root: str, echo: bool = True) -> Optional[List[dict]]:
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

    Returns:
        list[dict] | None: The rows, or None when a row's stage has not
        finished (the table is then not written).
    """
    missing = [r['stage'] for r in spec['rows'] if r['stage'] not in outputs]
    if missing:
        if echo:
            print(f'Table skipped: {missing} have not finished.')
        return None
    rows = []
    splits = set()
    for row_spec in spec['rows']:
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
