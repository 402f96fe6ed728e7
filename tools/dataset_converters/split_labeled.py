"""Split a labeled score list into train and validation parts (seeded).

Usage:
    python tools/dataset_converters/split_labeled.py LIST OUT_DIR
        [--val-fraction 0.2] [--seed 0] [--group-regex REGEX]

LIST is a txt (``path score ...``) or CSV (header row kept in both parts)
list. Writes ``OUT_DIR/train.<ext>`` and ``OUT_DIR/val.<ext>``. With
``--group-regex``, rows whose paths share the regex's first group (e.g. the
same source face ``^(.*)_\\d+\\.jpg$``) stay in the same part, so no face
appears in both.
"""
import argparse
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

import numpy as np


def read_rows(path: str) -> Tuple[Optional[str], List[Tuple[str, str]]]:
    """Return the header (CSV only) and ``(image path, full line)`` rows."""
    with open(path, encoding='utf-8') as f:
        lines = [line.rstrip('\n') for line in f]
    is_csv = path.lower().endswith('.csv')
    header = lines[0] if is_csv and lines else None
    body = lines[1:] if is_csv else lines
    rows = []
    for line in body:
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        key = line.split(',')[0] if is_csv else line.split()[0]
        rows.append((key.strip(), line))
    return header, rows


def split_rows(rows: List[Tuple[str, str]],
               val_fraction: float,
               seed: int,
               group_regex: Optional[str] = None
               ) -> Tuple[List[str], List[str]]:
    """Seeded split of rows into train and val lines, by group if given.

    Args:
        rows (list[tuple[str, str]]): ``(image path, line)`` pairs.
        val_fraction (float): Share of groups that go to val.
        seed (int): Random seed.
        group_regex (str, optional): Regex whose first group names a row's
            group; rows without a match are their own group.

    Returns:
        tuple[list[str], list[str]]: Train and val lines, in input order.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f'val_fraction must be in (0, 1), got {val_fraction}')
    pattern = re.compile(group_regex) if group_regex else None
    groups: Dict[str, int] = {}
    row_group = []
    for key, _ in rows:
        match = pattern.search(key) if pattern else None
        name = match.group(1) if match else key
        row_group.append(groups.setdefault(name, len(groups)))
    order = np.random.default_rng(seed).permutation(len(groups))
    num_val = max(1, int(round(val_fraction * len(groups))))
    val_groups = set(order[:num_val].tolist())
    train = [line for (_, line), g in zip(rows, row_group)
             if g not in val_groups]
    val = [line for (_, line), g in zip(rows, row_group) if g in val_groups]
    return train, val


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('list', help='labeled txt or CSV list')
    parser.add_argument('out_dir', help='folder for train / val lists')
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--group-regex', help='keep groups together')
    args = parser.parse_args()

    header, rows = read_rows(args.list)
    if not rows:
        raise SystemExit(f'{args.list}: no rows to split.')
    train, val = split_rows(rows, args.val_fraction, args.seed,
                            args.group_regex)
    ext = osp.splitext(args.list)[1] or '.txt'
    os.makedirs(args.out_dir, exist_ok=True)
    for name, lines in (('train', train), ('val', val)):
        path = osp.join(args.out_dir, name + ext)
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as f:
            if header is not None:
                f.write(header + '\n')
            f.writelines(line + '\n' for line in lines)
        os.replace(tmp, path)
        print(f'{path}: {len(lines)} rows')


if __name__ == '__main__':
    main()
