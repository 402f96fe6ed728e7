"""References between recipe stages: ``'@stage.output'`` strings.

A stage's arguments may hold, anywhere inside them, strings of the form
``'@<stage>.<output>'`` (an output of an earlier stage, e.g.
``'@teacher.checkpoint'``) or ``'@vars.<name>'`` (a value of the recipe's
``vars`` dict, which ``--cfg-options vars.data_root=...`` overrides). The
runner replaces them by the values before the stage runs. A path may
follow the reference: ``'@vars.data_root/train.csv'`` is the variable's
value joined with ``/train.csv``.
"""
import re
from typing import Any, Dict, List, Set

REF_PATTERN = re.compile(r'^@([A-Za-z_]\w*)\.(\w+)(/.*)?$')
VARS = 'vars'


def find_references(value: Any) -> List[tuple]:
    """All ``(stage, output)`` references inside ``value``, in order.

    Args:
        value (Any): Nested dicts, lists and strings.

    Returns:
        list[tuple[str, str]]: The references (``vars`` ones included).

    Example:
        >>> find_references(dict(a=['x', '@teacher.checkpoint']))
        [('teacher', 'checkpoint')]
    """
    found: List[tuple] = []
    if isinstance(value, str):
        match = REF_PATTERN.match(value)
        if match:
            found.append(match.groups()[:2])
    elif isinstance(value, dict):
        for item in value.values():
            found += find_references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found += find_references(item)
    return found


def upstream_stages(value: Any) -> Set[str]:
    """Names of the stages ``value`` refers to (``vars`` left out)."""
    return {stage for stage, _ in find_references(value) if stage != VARS}


def substitute(value: Any, outputs: Dict[str, Dict[str, Any]],
               variables: Dict[str, Any], where: str) -> Any:
    """Replace every reference inside ``value`` by what it names.

    Args:
        value (Any): Nested dicts, lists and strings.
        outputs (dict): ``stage -> {output name -> value}`` of finished
            stages.
        variables (dict): The recipe's ``vars``.
        where (str): Names the place in error messages.

    Returns:
        Any: A copy of ``value`` with the references replaced.

    Raises:
        KeyError: When a reference names an unknown stage, output or
            variable.
    """
    if isinstance(value, str):
        match = REF_PATTERN.match(value)
        if not match:
            return value
        stage, key, suffix = match.groups()
        if stage == VARS:
            if key not in variables:
                raise KeyError(f'{where}: {value!r} names the recipe '
                               f'variable {key!r}; vars has '
                               f'{sorted(variables)}.')
            found = substitute(variables[key], outputs, variables, where)
            return _join(found, suffix, value, where)
        if stage not in outputs:
            raise KeyError(f'{where}: {value!r} needs stage {stage!r}, '
                           'which has not finished.')
        if key not in outputs[stage]:
            raise KeyError(f'{where}: stage {stage!r} has no output {key!r}; '
                           f'it has {sorted(outputs[stage])}.')
        return _join(outputs[stage][key], suffix, value, where)
    if isinstance(value, dict):
        return {
            k: substitute(v, outputs, variables, where)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(
            substitute(v, outputs, variables, where) for v in value)
    return value


def _join(found: Any, suffix: str, value: str, where: str) -> Any:
    if not suffix:
        return found
    if not isinstance(found, str):
        raise TypeError(f'{where}: {value!r} adds a path to a value that is '
                        f'not a string ({found!r}).')
    return found.rstrip('/') + suffix
