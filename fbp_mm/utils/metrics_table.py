"""Plain-text table of evaluation metrics."""
from typing import Dict, Optional


def format_metrics_table(metrics: Dict[str, float],
                         title: Optional[str] = None,
                         digits: int = 4) -> str:
    """Render a metric dict as an aligned two-column text table.

    Args:
        metrics (dict[str, float]): Metric names and values, as returned by
            ``Runner.test()``.
        title (str, optional): Line printed above the table.
        digits (int): Decimals of float values. Defaults to 4.

    Returns:
        str: The table, lines joined by newlines.

    Example:
        >>> print(format_metrics_table({'plcc': 0.91234, 'mae': 0.2}))
        +--------+--------+
        | metric | value  |
        +--------+--------+
        | plcc   | 0.9123 |
        | mae    | 0.2000 |
        +--------+--------+
    """
    rows = []
    for key, value in metrics.items():
        if isinstance(value, float):
            text = f'{value:.{digits}f}'
        else:
            text = str(value)
        rows.append((str(key), text))
    width_k = max([len('metric')] + [len(k) for k, _ in rows])
    width_v = max([len('value')] + [len(v) for _, v in rows])
    rule = f'+{"-" * (width_k + 2)}+{"-" * (width_v + 2)}+'
    lines = [] if title is None else [title]
    lines += [rule, f'| {"metric":<{width_k}} | {"value":<{width_v}} |', rule]
    lines += [f'| {k:<{width_k}} | {v:<{width_v}} |' for k, v in rows]
    lines.append(rule)
    return '\n'.join(lines)
