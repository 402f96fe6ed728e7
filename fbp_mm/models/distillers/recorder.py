"""Record the outputs of named submodules with forward hooks."""
import difflib
from contextlib import contextmanager
from functools import partial
from typing import Any, Dict, Iterator, List, Optional, Union

import torch.nn as nn

RecordCfg = Union[str, dict]


class ModuleOutputRecorder:
    """Keep the latest output of chosen submodules of a network.

    Each record watches one submodule, addressed by its dotted name as
    listed by :meth:`torch.nn.Module.named_modules` (for an
    ``ImageClassifier``: ``'backbone'``, ``'backbone.layer4'``,
    ``'backbone.layers.1'``, ``'neck'``, ``'head'``, ``'head.layers'``...).
    A forward hook stores the module's output under the record name, but
    only while :meth:`recording` is active, so inference outside a training
    step keeps nothing alive. When a module runs several times in a step,
    the last call wins.

    Args:
        records (dict): Record name → either a module name (str) or a dict
            ``dict(module='backbone', index=None)``. ``index`` picks one
            element when the module returns a tuple or list (for example
            ``-1`` for the last stage of a backbone); None keeps the whole
            output.

    Example:
        >>> import torch
        >>> from fbp_mm.apis import build_model_from_config
        >>> model = build_model_from_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> recorder = ModuleOutputRecorder(dict(
        ...     feat=dict(module='backbone', index=-1),
        ...     scores='head'))
        >>> _ = recorder.attach(model)  # returns the recorder
        >>> with recorder.recording():
        ...     _ = model(torch.rand(4, 3, 64, 64), mode='tensor')
        >>> recorder.get('scores').shape
        torch.Size([4, 1])
    """

    def __init__(self, records: Optional[Dict[str, RecordCfg]] = None) -> None:
        self.records: Dict[str, dict] = {}
        for name, cfg in (records or {}).items():
            self.records[name] = self._normalise(name, cfg)
        self._outputs: Dict[str, Any] = {}
        self._handles: List[Any] = []
        self._active = False

    @staticmethod
    def _normalise(name: str, cfg: RecordCfg) -> dict:
        if isinstance(cfg, str):
            cfg = dict(module=cfg)
        if not isinstance(cfg, dict) or 'module' not in cfg:
            raise TypeError(
                f'Record {name!r} must be a module name or a dict with a '
                f"'module' key, got {cfg!r}")
        unknown = set(cfg) - {'module', 'index'}
        if unknown:
            raise ValueError(f'Record {name!r} has unknown keys '
                             f'{sorted(unknown)}; allowed: module, index')
        if not cfg['module']:
            raise ValueError(
                f'Record {name!r}: the whole model cannot be recorded; name '
                "a submodule such as 'head' or 'backbone'.")
        index = cfg.get('index')
        if index is not None and not isinstance(index, int):
            raise TypeError(f'Record {name!r}: index must be an int or None, '
                            f'got {index!r}')
        return dict(module=cfg['module'], index=index)

    @property
    def names(self) -> List[str]:
        """Names of the records."""
        return list(self.records)

    @staticmethod
    def find_module(model: nn.Module, module_name: str) -> nn.Module:
        """Return the submodule called ``module_name``.

        Raises:
            KeyError: Naming the missing module and the closest existing
                names.
        """
        modules = dict(model.named_modules())
        if module_name in modules and module_name:
            return modules[module_name]
        candidates = [n for n in modules if n]
        close = difflib.get_close_matches(
            module_name, candidates, n=5, cutoff=0.5)
        if not close:
            parent = module_name.rpartition('.')[0]
            close = [
                n for n in candidates
                if n.rpartition('.')[0] == parent
            ][:10] or [n for n in candidates if '.' not in n]
        raise KeyError(
            f'{type(model).__name__} has no submodule {module_name!r}. '
            f'Close names: {", ".join(close) or "none"}.')

    def attach(self, model: nn.Module) -> 'ModuleOutputRecorder':
        """Register one forward hook per record on ``model``'s submodules.

        Args:
            model (nn.Module): The network to watch.

        Returns:
            ModuleOutputRecorder: ``self``.
        """
        self.detach()
        # Resolve every name first, so a typo leaves no hook behind.
        targets = {
            name: self.find_module(model, cfg['module'])
            for name, cfg in self.records.items()
        }
        for name, module in targets.items():
            self._handles.append(
                module.register_forward_hook(partial(self._keep, name)))
        return self

    def detach(self) -> None:
        """Remove the hooks and forget the recorded outputs."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.clear()

    def _keep(self, name: str, module: nn.Module, args: Any,
              output: Any) -> None:
        if not self._active:
            return
        index = self.records[name]['index']
        if index is not None:
            if not isinstance(output, (tuple, list)):
                raise TypeError(
                    f'Record {name!r} sets index={index}, but module '
                    f"{self.records[name]['module']!r} returned a "
                    f'{type(output).__name__}, not a tuple or list.')
            output = output[index]
        self._outputs[name] = output

    def clear(self) -> None:
        """Drop every recorded output."""
        self._outputs = {}

    @contextmanager
    def recording(self) -> Iterator['ModuleOutputRecorder']:
        """Context in which the hooks store outputs.

        Outputs of a previous step are dropped on entry; the new ones stay
        readable after the context ends, until :meth:`clear`.
        """
        self.clear()
        self._active = True
        try:
            yield self
        finally:
            self._active = False

    def get(self, name: str) -> Any:
        """Return the latest output recorded under ``name``.

        Raises:
            KeyError: If ``name`` is not a record, or its module did not run
                while recording.
        """
        if name not in self.records:
            raise KeyError(f'No record called {name!r}; records: '
                           f'{", ".join(self.records) or "none"}')
        if name not in self._outputs:
            raise KeyError(
                f"Record {name!r} (module {self.records[name]['module']!r}) "
                'holds nothing: the module did not run while recording.')
        return self._outputs[name]

    def __contains__(self, name: str) -> bool:
        return name in self._outputs

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.records})'
