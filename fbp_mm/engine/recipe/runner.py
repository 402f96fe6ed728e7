"""Run a recipe: its stages in order, each once for a given set of inputs.

A recipe is an MMEngine config file with

- ``stages``: a list of ``dict(name=..., type=..., **arguments)``; the
  ``type`` is a registered stage (:data:`RECIPE_STAGES`: ``train``,
  ``test``, ``pseudo_label``, ``extract_student``, ...), the arguments
  are the stage's, and any string ``'@<stage>.<output>'`` inside them is
  an output of an earlier stage (``'@vars.<name>'``: a recipe variable).
- A stage may say ``enabled=False`` (or ``enabled='@vars.<flag>'``): it
  is left out, with every stage that uses its outputs and their table
  rows (an optional part of a method, such as an ablation).
- ``vars`` (optional): values the stages refer to, so that
  ``--cfg-options vars.data_root=/data/x`` changes every stage that uses
  it.
- ``work_root``: folder of the stage folders (``<work_root>/<name>/``).
- ``table`` (optional): the rows and columns of the closing table, see
  :func:`fbp_mm.engine.recipe.table.write_table`.
- ``custom_imports`` (optional): modules that register more stage types.

Each stage folder holds ``stage.json``: the stage's resolved arguments,
its fingerprint (hashes of its merged config, input checkpoints and data
lists, see :mod:`.fingerprint`), its status and its outputs. On the next
run a finished stage with the same fingerprint is skipped; one whose
fingerprint changed (or that ``force`` names) is run again from an
emptied folder, and the stages after it see its new outputs, so they run
again too. A stage that was interrupted with the same fingerprint resumes
(training from its last checkpoint, pseudo-labelling from its partial
list). Stages left out of ``only`` whose inputs changed are marked stale:
their old outputs are never handed on.

Each stage runs in a child process (:mod:`.worker`) that ends when the
runner ends, even when the runner is killed (Linux); on a machine without
a GPU the child is a fork of the runner (its imports done, seconds faster
per stage), else a fresh interpreter (``FBP_MM_RECIPE_START`` chooses).
One runner at a time may use a work root: a second one stops with an error
naming the first.
"""
import copy
import fcntl
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

from mmengine.config import Config

from ...utils.config_loading import load_config
from ...utils.hashing import json_sha256
from .fingerprint import FileHasher
from .references import VARS, find_references, substitute, upstream_stages
from .stages import RECIPE_STAGES, TrainStage
from .table import write_seed_table, write_table
from .worker import LOCK_FILE as STAGE_LOCK_FILE
from .worker import (OUTPUTS_FILE, PARENT_ENV, STAGE_FILE, WORKER_MODULE,
                     ForkedWorker)

LOCK_FILE = '.recipe.lock'
STALE_FILE = 'stage.stale.json'
#: Lines of a stage's log that the runner echoes (training progress).
ECHO_MARKERS = ('Epoch(', 'Iter(')
ECHO_WORDS = ('loss', 'plcc', 'srcc', 'accuracy')


class RecipeError(RuntimeError):
    """A recipe that cannot run as written, or a stage that failed."""


START_METHODS = ('fork', 'spawn')
START_ENV = 'FBP_MM_RECIPE_START'


def _has_gpu_devices() -> bool:
    """Whether NVIDIA device files exist (asked without touching CUDA).

    A process that has initialised CUDA cannot be forked safely, and the
    runner's imports may initialise it, so stages spawn where a GPU is.
    """
    return bool(glob.glob('/dev/nvidia[0-9]*'))


def resolve_start_method(method: Optional[str] = None) -> str:
    """The start method of stage children: argument, environment, default.

    Args:
        method (str, optional): ``'fork'`` or ``'spawn'``; None reads
            ``FBP_MM_RECIPE_START`` and falls back to ``'fork'`` where
            :func:`os.fork` exists and no GPU is (forking after CUDA
            started is unsafe), else ``'spawn'``.

    Returns:
        str: The method.

    Raises:
        RecipeError: For an unknown method, or ``'fork'`` where the
            platform has none.
    """
    method = method or os.environ.get(START_ENV) or (
        'fork' if hasattr(os, 'fork') and not _has_gpu_devices() else
        'spawn')
    if method not in START_METHODS:
        raise RecipeError(f'Unknown stage start method {method!r} (from '
                          f'{START_ENV} or start_method); choose one of '
                          f'{START_METHODS}.')
    if method == 'fork' and not hasattr(os, 'fork'):
        raise RecipeError('This platform cannot fork; use '
                          f'{START_ENV}=spawn.')
    return method


class RecipeRunner:
    """Run the stages of a recipe config.

    Args:
        recipe (str | Config): The recipe file or a loaded recipe.
        work_root (str, optional): Overrides the recipe's ``work_root``.
        cfg_options (dict, optional): Overrides of the recipe, as
            ``--cfg-options`` (e.g. ``{'vars.data_root': 'data/x'}``).
        echo (bool): Print progress lines of the stages. Defaults to True.
        in_process (bool): Run the stages in this process instead of a
            child each (for debugging and quick tests; a crash of a stage
            then ends the runner too). Defaults to False.
        start_method (str): How a stage's child process starts:
            ``'fork'`` (a copy of this process, with its imports already
            done: seconds faster per stage; Linux and macOS) or
            ``'spawn'`` (a fresh interpreter). Defaults to ``'fork'`` on
            machines without a GPU, else ``'spawn'``; the environment
            variable ``FBP_MM_RECIPE_START`` overrides it.
        seed (int, optional): Seed of every training stage
            (``randomness.seed`` of its config); part of the stages'
            fingerprints. Defaults to None (the configs' own seeds).

    Example:
        >>> runner = RecipeRunner('configs/fbp/recipes/mae_ms_kd_demo.py')
        >>> # rows = runner.run()           # all stages, then the table
        >>> # runner.run(only=['teacher'], force=True)
    """

    def __init__(self,
                 recipe,
                 work_root: Optional[str] = None,
                 cfg_options: Optional[dict] = None,
                 echo: bool = True,
                 in_process: bool = False,
                 seed: Optional[int] = None,
                 start_method: Optional[str] = None) -> None:
        self.in_process = in_process
        self.start_method = resolve_start_method(start_method)
        self.seed = seed
        if isinstance(recipe, Config):
            self.cfg = recipe
            self.recipe_dir = osp.dirname(recipe.filename or '') or '.'
        else:
            self.cfg = load_config(recipe)
            self.recipe_dir = osp.dirname(osp.abspath(recipe))
        if cfg_options:
            self.cfg.merge_from_dict(cfg_options)
        self.recipe_dir = osp.abspath(self.recipe_dir)
        root = work_root or self.cfg.get('work_root')
        if not root:
            raise RecipeError('The recipe has no `work_root`; set one or '
                              'pass --work-root.')
        self.work_root = osp.abspath(root)
        self.echo = echo
        self.variables = dict(self.cfg.get('vars') or {})
        self.imports = list(
            (self.cfg.get('custom_imports') or {}).get('imports', []))
        self.specs = [dict(s) for s in self.cfg.get('stages') or []]
        self._check_specs()
        self._child = None  # subprocess.Popen or ForkedWorker

    # ------------------------------------------------------------ checks
    def _check_specs(self) -> None:
        if not self.specs:
            raise RecipeError('The recipe has no `stages`.')
        seen: List[str] = []
        for i, spec in enumerate(self.specs):
            name = spec.get('name')
            where = f'stages[{i}]'
            if not name or not isinstance(name, str) or '/' in name:
                raise RecipeError(f'{where} needs a `name` (a folder name).')
            if name in seen or name == VARS:
                raise RecipeError(f'{where}: the name {name!r} is used twice '
                                  'or reserved.')
            kind = spec.get('type')
            if kind not in RECIPE_STAGES.module_dict:
                raise RecipeError(
                    f'{where} ({name}): unknown stage type {kind!r}; known: '
                    f'{sorted(RECIPE_STAGES.module_dict)}.')
            for stage, key in find_references(spec):
                if stage == VARS:
                    continue
                if stage not in seen:
                    raise RecipeError(
                        f'{where} ({name}) refers to @{stage}.{key}, but no '
                        f'earlier stage is called {stage!r}.')
                outputs = RECIPE_STAGES.get(
                    self.specs[seen.index(stage)]['type']).outputs
                if key not in outputs:
                    raise RecipeError(
                        f'{where} ({name}) refers to @{stage}.{key}; '
                        f'{stage!r} outputs {list(outputs)}.')
            seen.append(name)

    @property
    def stage_names(self) -> List[str]:
        """Names of the stages, in order."""
        return [s['name'] for s in self.specs]

    def stage_dir(self, name: str) -> str:
        """Folder of a stage."""
        return osp.join(self.work_root, name)

    # -------------------------------------------------------------- run
    def run(self,
            only: Optional[Sequence[str]] = None,
            force: bool = False,
            table: bool = True) -> Optional[List[dict]]:
        """Run the recipe.

        Args:
            only (Sequence[str], optional): Run only these stages (others
                are used as they are when still valid). Defaults to all.
            force (bool): Run the chosen stages again even when nothing
                changed (and so every stage after them that uses them).
            table (bool): Write and print the closing table. Defaults to
                True.

        Returns:
            list[dict] | None: The table rows, or None when the table was
            not made (stages missing).
        """
        unknown = set(only or []) - set(self.stage_names)
        if unknown:
            raise RecipeError(f'Unknown stages {sorted(unknown)}; the recipe '
                              f'has {self.stage_names}.')
        os.makedirs(self.work_root, exist_ok=True)
        lock = self._lock()
        previous = {
            sig: signal.signal(sig, self._on_signal)
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            outputs = self._run_stages(only, force)
            if table and self.cfg.get('table'):
                return write_table(self.cfg.table, outputs, self.work_root,
                                   echo=self.echo,
                                   disabled=self.disabled)
            return None
        finally:
            self._stop_child()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            lock.close()

    def run_seeds(self,
                  seeds: Sequence[int],
                  only: Optional[Sequence[str]] = None,
                  force: bool = False) -> Optional[List[dict]]:
        """Run the whole recipe once per seed and report mean ± std.

        Seed ``s`` runs in ``<work_root>/seed_<s>/`` with every training
        stage seeded ``s`` (each such run skips, re-runs and resumes like
        :meth:`run`). The per-seed tables are combined into
        ``<work_root>/results_seeds.md`` / ``.json``: mean ± sample
        standard deviation of every metric over the seeds.

        Args:
            seeds (Sequence[int]): The seeds, e.g. ``(0, 1, 2)``.
            only (Sequence[str], optional): As in :meth:`run`.
            force (bool): As in :meth:`run`.

        Returns:
            list[dict] | None: The combined rows, or None when a seed's
            table could not be made (every seed still runs its stages:
            ``only`` may leave the tables out on purpose).
        """
        if len(set(seeds)) < 2:
            raise RecipeError('run_seeds needs at least two different seeds.')
        per_seed = {}
        for seed in seeds:
            self._say(f'=== seed {seed} ===')
            runner = RecipeRunner(
                copy.deepcopy(self.cfg),
                work_root=osp.join(self.work_root, f'seed_{seed}'),
                echo=self.echo,
                in_process=self.in_process,
                seed=seed,
                start_method=self.start_method)
            runner.recipe_dir = self.recipe_dir
            per_seed[seed] = runner.run(only=only, force=force)
        if any(rows is None for rows in per_seed.values()):
            return None
        return write_seed_table(self.cfg.table, per_seed, self.work_root,
                                echo=self.echo, disabled=runner.disabled)

    def _run_stages(self, only: Optional[Sequence[str]],
                    force: bool) -> Dict[str, Dict[str, Any]]:
        hasher = FileHasher(osp.join(self.work_root, '.hashes.json'))
        outputs: Dict[str, Dict[str, Any]] = {}
        self.disabled: List[str] = []
        for spec in self.specs:
            name = spec['name']
            chosen = only is None or name in only
            folder = self.stage_dir(name)
            record = read_record(folder)
            off = sorted(upstream_stages(spec) & set(self.disabled))
            if not self._enabled(spec) or off:
                self.disabled.append(name)
                self._say(f'[{name}] disabled' +
                          (f' (needs disabled {off})' if off else ''))
                continue
            missing = sorted(upstream_stages(spec) - set(outputs))
            if missing:
                if record is not None and record.get('status') == 'done':
                    self._mark_stale(folder, record,
                                     f'its inputs {missing} are not ready')
                if chosen:
                    raise RecipeError(
                        f'Stage {name!r} needs {missing} finished first.')
                continue
            resolved = substitute(spec, outputs, self.variables,
                                  f'stage {name!r}')
            resolved.pop('enabled', None)
            resolved['recipe_dir'] = self.recipe_dir
            if self.seed is not None and issubclass(
                    RECIPE_STAGES.get(resolved['type']), TrainStage):
                options = dict(resolved.get('cfg_options') or {})
                options['randomness.seed'] = self.seed
                resolved['cfg_options'] = options
            try:
                stage = RECIPE_STAGES.build(dict(resolved))
                detail = stage.fingerprint(hasher)
            except FileNotFoundError as err:
                raise RecipeError(f'Stage {name!r}: {err}') from err
            hasher.save()
            fingerprint = json_sha256(detail)
            same = record is not None and \
                record.get('fingerprint') == fingerprint
            if same and record.get('status') == 'done' and \
                    not (force and chosen):
                self._say(f'[{name}] up to date, skipped')
                outputs[name] = record['outputs']
                continue
            if not chosen:
                if record is not None and record.get('status') == 'done':
                    self._mark_stale(folder, record, 'its inputs changed')
                else:
                    self._say(f'[{name}] not run (not among the chosen '
                              'stages)')
                continue
            resume = same and record.get('status') == 'running' and \
                not force
            _check_stage_free(folder)
            if not resume and osp.isdir(folder):
                why = 'forced' if same else (
                    'inputs changed' if record else 'no record')
                self._say(f'[{name}] starting over ({why})')
                _empty_folder(folder)
            os.makedirs(folder, exist_ok=True)
            outputs[name] = self._run_one(stage, resolved, folder,
                                          fingerprint, detail, resume,
                                          hasher)
        return outputs

    def _enabled(self, spec: dict) -> bool:
        value = spec.get('enabled', True)
        value = substitute(value, {}, self.variables,
                           f'stage {spec["name"]!r}: enabled')
        if not isinstance(value, bool):
            raise RecipeError(f'Stage {spec["name"]!r}: `enabled` must be '
                              f'True or False, got {value!r}.')
        return value

    def _run_one(self, stage, resolved: dict, folder: str, fingerprint: str,
                 detail: dict, resume: bool,
                 hasher: FileHasher) -> Dict[str, Any]:
        name = stage.name
        record = dict(
            name=name,
            type=resolved['type'],
            status='running',
            fingerprint=fingerprint,
            inputs=detail,
            spec=resolved,
            imports=self.imports,
            resume=resume,
            started=time.strftime('%Y-%m-%d %H:%M:%S'))
        write_record(folder, record)
        self._say(f'[{name}] {"resuming" if resume else "running"} '
                  f'{stage.describe()}')
        start = time.time()
        if self.in_process:
            from .worker import run_stage_dir
            run_stage_dir(folder)
        else:
            self._run_worker(folder)
        with open(osp.join(folder, OUTPUTS_FILE)) as f:
            outputs = json.load(f)
        record.update(
            status='done',
            outputs=outputs,
            output_hashes={
                k: hasher.file(v)
                for k, v in outputs.items()
                if isinstance(v, str) and osp.isfile(v)
            },
            seconds=round(time.time() - start, 1),
            finished=time.strftime('%Y-%m-%d %H:%M:%S'))
        hasher.save()
        write_record(folder, record)
        self._say(f'[{name}] done in {record["seconds"]:.0f} s')
        return outputs

    # ----------------------------------------------------------- child
    def _start_child(self, folder: str, log) -> None:
        if self.start_method == 'fork':
            log.write(f'\n$ (fork) python -m {WORKER_MODULE} {folder}\n')
            log.flush()
            self._child = ForkedWorker(folder)
            return
        env = dict(os.environ)
        package_parent = osp.dirname(
            osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (package_parent, env.get('PYTHONPATH')) if p)
        env[PARENT_ENV] = str(os.getpid())
        env['PYTHONUNBUFFERED'] = '1'
        cmd = [sys.executable, '-m', WORKER_MODULE, folder]
        log.write(f'\n$ {" ".join(cmd)}\n')
        log.flush()
        self._child = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True)

    def _run_worker(self, folder: str) -> None:
        log_path = osp.join(folder, 'stage.log')
        with open(log_path, 'a') as log:
            self._start_child(folder, log)
            tail: List[str] = []
            for line in self._child.stdout:
                log.write(line)
                log.flush()
                tail = (tail + [line])[-30:]
                self._echo(line)
            code = self._child.wait()
            self._child = None
        if code != 0:
            sys.stderr.write(''.join(tail))
            raise RecipeError(
                f'Stage {osp.basename(folder)!r} failed (exit {code}); full '
                f'log: {log_path}. Run again to resume it.')

    def _echo(self, line: str) -> None:
        if not self.echo:
            return
        text = line.split(' - INFO - ')[-1].rstrip()
        if any(m in line for m in ECHO_MARKERS) and any(
                w in line for w in ECHO_WORDS):
            print('    ' + text, flush=True)
        elif line.startswith('[') or 'Error' in line:
            print('    ' + text, flush=True)

    def _stop_child(self) -> None:
        child = self._child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    def _on_signal(self, signum, frame) -> None:
        self._stop_child()
        raise KeyboardInterrupt(f'stopped by signal {signum}; run again to '
                                'resume')

    # ------------------------------------------------------------ misc
    def _lock(self):
        handle = open(osp.join(self.work_root, LOCK_FILE), 'a+')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or 'another runner'
            handle.close()
            raise RecipeError(
                f'{self.work_root} is in use by {owner}; one runner per '
                'work root (wait for it or stop it).') from None
        handle.seek(0)
        handle.truncate()
        handle.write(f'run_recipe pid {os.getpid()}')
        handle.flush()
        return handle

    def _mark_stale(self, folder: str, record: dict, why: str) -> None:
        self._say(f'[{record["name"]}] stale ({why}); its outputs are not '
                  'used until it runs again')
        os.replace(
            osp.join(folder, STAGE_FILE), osp.join(folder, STALE_FILE))

    def _say(self, text: str) -> None:
        if self.echo:
            print(text, flush=True)


def read_record(folder: str) -> Optional[dict]:
    """The ``stage.json`` of a stage folder, or None."""
    path = osp.join(folder, STAGE_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_record(folder: str, record: dict) -> None:
    """Write ``stage.json`` atomically."""
    tmp = osp.join(folder, STAGE_FILE + '.tmp')
    with open(tmp, 'w') as f:
        json.dump(record, f, indent=2, default=str)
    os.replace(tmp, osp.join(folder, STAGE_FILE))


def _check_stage_free(folder: str) -> None:
    """Refuse to touch a stage folder that a live worker still holds."""
    path = osp.join(folder, STAGE_LOCK_FILE)
    if not osp.isfile(path):
        return
    with open(path, 'a+') as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or 'another process'
            raise RecipeError(
                f'{folder} is in use by {owner} (a stage left running by '
                'an earlier runner?); stop it first.') from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def _empty_folder(folder: str) -> None:
    for entry in os.listdir(folder):
        if entry == STAGE_LOCK_FILE:
            continue
        path = osp.join(folder, entry)
        if osp.isdir(path) and not osp.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
