"""The stages a recipe is made of.

Each stage type is registered in :data:`RECIPE_STAGES` under the name a
recipe's ``type`` uses. A stage computes its fingerprint in the runner's
process (:meth:`RecipeStage.fingerprint`) and does its work in a child
process (:meth:`RecipeStage.run`, called by
``python -m fbp_mm.engine.recipe.worker``), returning its outputs: the
values later stages refer to as ``'@<stage>.<output>'``.
"""
import copy
import glob
import json
import os.path as osp
from typing import Any, Dict, Optional, Sequence, Union

from mmengine.config import Config
from mmengine.registry import Registry

from ...utils.config_loading import load_config
from ...utils.hashing import json_sha256
from .fingerprint import FileHasher, config_fingerprint

RECIPE_STAGES = Registry('recipe stage')


def resolve_config_path(path: str, base_dir: str) -> str:
    """Find a stage's config file.

    Args:
        path (str): Absolute, relative to ``base_dir`` (the recipe's
            folder), or ``'fbp_mm::fbp/x.py'`` / ``'mmpretrain::resnet/
            resnet18_8xb32_in1k.py'`` (a package's shipped configs).
        base_dir (str): Folder of the recipe file.

    Returns:
        str: An absolute path of an existing file.

    Raises:
        FileNotFoundError: When the file is not found; the message lists
            the places tried.
    """
    if '::' in path:
        from ...utils.config_paths import resolve_package_config
        return resolve_package_config(path)
    if osp.isabs(path):
        tried = [path]
    else:
        tried = [osp.join(base_dir, path), osp.abspath(path)]
    for candidate in tried:
        if osp.isfile(candidate):
            return osp.abspath(candidate)
    raise FileNotFoundError(f'Config {path!r} not found; tried '
                            f'{", ".join(tried)}.')


class RecipeStage:
    """Base class of recipe stages.

    Args:
        name (str): The stage's name in the recipe.
        recipe_dir (str): Folder of the recipe file; relative config paths
            are resolved against it. Defaults to the current folder.
    """

    #: Names of the outputs :meth:`run` returns.
    outputs: Sequence[str] = ()

    def __init__(self, name: str, recipe_dir: str = '.') -> None:
        self.name = name
        self.recipe_dir = recipe_dir

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        """``input name -> hash`` of everything the stage is made from."""
        raise NotImplementedError

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        """Do the work in ``work_dir``; return the outputs.

        Args:
            work_dir (str): The stage's own folder.
            resume (bool): An earlier run of the same inputs was
                interrupted in this folder: continue it.
        """
        raise NotImplementedError

    def describe(self) -> str:
        """One line for the runner's log."""
        return type(self).__name__


class ConfigStage(RecipeStage):
    """A stage driven by a model config (train, test, pseudo-label).

    Args:
        name (str): The stage's name.
        config (str): Config file (see :func:`resolve_config_path`).
        cfg_options (dict, optional): Overrides with literal values,
            ``{'dotted.key': value}`` as ``--cfg-options``.
        inputs (dict, optional): Overrides wired to earlier stages'
            outputs, e.g. ``{'model.teacher_ckpt': '@teacher.checkpoint'}``
            (references are already replaced when the stage is built).
        recipe_dir (str): Folder of the recipe file.
    """

    def __init__(self,
                 name: str,
                 config: str,
                 cfg_options: Optional[dict] = None,
                 inputs: Optional[dict] = None,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, recipe_dir)
        self.config = resolve_config_path(config, recipe_dir)
        self.cfg_options = dict(cfg_options or {})
        self.cfg_options.update(inputs or {})

    def merged_config(self) -> Config:
        """The stage's config with its overrides merged."""
        cfg = load_config(self.config)
        if self.cfg_options:
            cfg.merge_from_dict(copy.deepcopy(self.cfg_options))
        return cfg

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        return config_fingerprint(self.merged_config(), hasher)

    def describe(self) -> str:
        return f'{type(self).__name__} {self.config}'


def _prepare(cfg: Config, work_dir: str) -> Config:
    from ...utils import disable_persistent_workers_without_workers
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    disable_persistent_workers_without_workers(cfg)
    return cfg


@RECIPE_STAGES.register_module('train')
class TrainStage(ConfigStage):
    """Train a model config with MMEngine's runner.

    Outputs ``checkpoint``: the best checkpoint of the config's
    ``save_best`` (chosen on the validation data, never on the test
    split), else the last one; and ``work_dir``. An interrupted training
    resumes from its last checkpoint.

    Args:
        name (str): The stage's name.
        config (str): The training config.
        cfg_options (dict, optional): Literal overrides.
        inputs (dict, optional): Overrides from earlier stages.
        amp (bool): Mixed precision (``AmpOptimWrapper``). Defaults to
            False.
        recipe_dir (str): Folder of the recipe file.

    Example:
        >>> stage = dict(name='teacher', type='train',
        ...              config='../demo/teacher.py',
        ...              inputs={'model.backbone.init_cfg.checkpoint':
        ...                      '@teacher_pretrain.checkpoint'})
    """

    outputs = ('checkpoint', 'work_dir')

    def __init__(self,
                 name: str,
                 config: str,
                 cfg_options: Optional[dict] = None,
                 inputs: Optional[dict] = None,
                 amp: bool = False,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, config, cfg_options, inputs, recipe_dir)
        self.amp = amp

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...utils import build_runner
        cfg = _prepare(self.merged_config(), work_dir)
        if self.amp:
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        if resume and osp.isfile(osp.join(work_dir, 'last_checkpoint')):
            cfg.resume = True
            cfg.load_from = None
            print(f'[{self.name}] resuming from the last checkpoint',
                  flush=True)
        runner = build_runner(cfg, 'none')
        runner.train()
        return dict(checkpoint=selected_checkpoint(work_dir),
                    work_dir=work_dir)


def selected_checkpoint(work_dir: str) -> str:
    """The checkpoint a training hands on: its best, else its last.

    Args:
        work_dir (str): The training's work dir.

    Returns:
        str: Absolute path of ``best_*.pth`` (newest, MMEngine keeps one
        per metric) or of the file ``last_checkpoint`` names.
    """
    best = sorted(glob.glob(osp.join(work_dir, 'best_*.pth')),
                  key=osp.getmtime)
    if best:
        return osp.abspath(best[-1])
    last = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(last):
        with open(last) as f:
            path = f.read().strip()
        if osp.isfile(path):
            return osp.abspath(path)
    raise FileNotFoundError(f'No checkpoint found in {work_dir}.')


@RECIPE_STAGES.register_module('test')
class TestStage(ConfigStage):
    """Evaluate a checkpoint once on the config's test split.

    Outputs ``metrics`` (the metric dict, plus ``params_m``, ``gflops``,
    ``images_per_s`` and ``input_size`` when ``cost`` is on),
    ``metrics_file`` and ``test_files`` (the test lists, so tables can say
    which split a number comes from).

    Args:
        name (str): The stage's name.
        config (str): The model's config.
        checkpoint (str): The checkpoint (usually ``'@stage.checkpoint'``).
        cfg_options (dict, optional): Literal overrides.
        inputs (dict, optional): Overrides from earlier stages.
        cost (bool | int): Also measure params, GFLOPs and images/s at the
            deployed input size (an int gives the size). Defaults to True.
        allow_partial_load (bool): Accept a checkpoint whose keys do not
            match the model. Defaults to False: mismatches are an error.
        recipe_dir (str): Folder of the recipe file.
    """

    outputs = ('metrics', 'metrics_file', 'test_files')

    def __init__(self,
                 name: str,
                 config: str,
                 checkpoint: str,
                 cfg_options: Optional[dict] = None,
                 inputs: Optional[dict] = None,
                 cost: Union[bool, int] = True,
                 allow_partial_load: bool = False,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, config, cfg_options, inputs, recipe_dir)
        self.checkpoint = checkpoint
        self.cost = cost
        self.allow_partial_load = allow_partial_load

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        # The test data counts, not the lists the model was trained on.
        result = config_fingerprint(
            self.merged_config(), hasher, ('test_dataloader', ),
            weights=False)
        result['checkpoint'] = hasher.file(self.checkpoint)
        result['cost'] = str(self.cost)
        return result

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...utils import build_runner
        from .fingerprint import dataset_files
        cfg = _prepare(self.merged_config(), work_dir)
        cfg.load_from = self.checkpoint
        cfg.resume = False
        cfg.strict_load = not self.allow_partial_load
        test_files = dataset_files(cfg, ('test_dataloader', ))
        runner = build_runner(cfg, 'none')
        metrics = {k: float(v) for k, v in runner.test().items()}
        if self.cost:
            metrics.update(self._cost(cfg))
        out = osp.join(work_dir, 'metrics.json')
        with open(out, 'w') as f:
            json.dump(metrics, f, indent=2)
        return dict(metrics=metrics, metrics_file=out,
                    test_files=test_files)

    def _cost(self, cfg: Config) -> Dict[str, float]:
        import torch

        from ...utils.complexity import (build_model_for_analysis,
                                         complexity_summary,
                                         measure_throughput)
        size = self.cost if isinstance(self.cost, int) and \
            not isinstance(self.cost, bool) else deployed_input_size(cfg)
        model = build_model_for_analysis(cfg)
        if torch.cuda.is_available():
            model = model.cuda()
        summary = complexity_summary(model, (size, size))
        summary['images_per_s'] = measure_throughput(
            model, (size, size), batch_size=32, warmup=3, iters=10)
        summary['input_size'] = size
        return {k: float(v) for k, v in summary.items()}


def deployed_input_size(cfg: Config) -> int:
    """Side of the images the test pipeline feeds the model.

    The last ``CenterCrop`` / ``Resize`` / ``ResizeEdge`` / ``CropFaceBox``
    / ``AlignFace`` of the test pipeline decides (a crop after a resize
    wins).

    Args:
        cfg (Config): A config with a test pipeline.

    Returns:
        int: The side in pixels.
    """
    from ...apis import get_test_pipeline
    size = None
    for step in get_test_pipeline(cfg):
        kind = step.get('type')
        value = None
        if kind == 'CenterCrop':
            value = step.get('crop_size')
        elif kind == 'Resize':
            value = step.get('scale')
        elif kind == 'ResizeEdge':
            value = step.get('scale')
        elif kind in ('CropFaceBox', 'AlignFace'):
            value = step.get('size')
        if value is not None:
            size = int(value[0] if isinstance(value, (list, tuple)) else
                       value)
    if size is None:
        raise ValueError('The test pipeline has no Resize / CenterCrop / '
                         'CropFaceBox; give the stage `cost=<size>`.')
    return size


@RECIPE_STAGES.register_module('pseudo_label')
class PseudoLabelStage(ConfigStage):
    """Score an unlabeled set with a model: a pseudo-label list.

    Wraps :func:`fbp_mm.apis.pseudo_label.pseudo_label`; an interrupted
    run resumes from its partial list (rows of another checkpoint are
    never reused). Outputs ``ann_file``: the CSV
    (``image,score,raw_score,model,round``), paths relative to
    ``unlabeled_root``.

    Args:
        name (str): The stage's name.
        config (str): The model's config.
        checkpoint (str): Its checkpoint.
        unlabeled (str): Folder or list file of the images.
        unlabeled_root (str, optional): Root of the list paths.
        fit_on (str, optional): Labeled list to fit the logistic map from
            raw predictions to the label scale.
        fit_root (str, optional): Root of the ``fit_on`` paths.
        round (int): The ``round`` column. Defaults to 0.
        batch_size (int): Defaults to 32.
        fuse (bool): Score with the network rewritten for inference
            (see :func:`~fbp_mm.apis.pseudo_label.pseudo_label`); part of
            the stage's fingerprint when on. Defaults to False.
        cfg_options (dict, optional): Literal overrides of the config.
        inputs (dict, optional): Overrides from earlier stages.
        recipe_dir (str): Folder of the recipe file.
    """

    outputs = ('ann_file', )

    def __init__(self,
                 name: str,
                 config: str,
                 checkpoint: str,
                 unlabeled: str,
                 unlabeled_root: Optional[str] = None,
                 fit_on: Optional[str] = None,
                 fit_root: Optional[str] = None,
                 round: int = 0,
                 batch_size: int = 32,
                 fuse: bool = False,
                 cfg_options: Optional[dict] = None,
                 inputs: Optional[dict] = None,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, config, cfg_options, inputs, recipe_dir)
        self.fuse = bool(fuse)
        self.checkpoint = checkpoint
        self.unlabeled = unlabeled
        self.unlabeled_root = unlabeled_root
        self.fit_on = fit_on
        self.fit_root = fit_root
        self.round = round
        self.batch_size = batch_size

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        # Only the model and its test pipeline matter here, not the data
        # lists of the config's loaders.
        plain = self.merged_config().to_dict()
        plain.pop('work_dir', None)
        result = {'config': json_sha256(plain)}
        result['checkpoint'] = hasher.file(self.checkpoint)
        result['unlabeled'] = hasher.path(self.unlabeled)
        if self.fit_on:
            result['fit_on'] = hasher.file(self.fit_on)
        args = [self.unlabeled_root, self.fit_root, self.round]
        if self.fuse:  # unfused stages keep their earlier fingerprints
            args.append('fuse')
        result['args'] = json.dumps(args)
        return result

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...apis.pseudo_label import pseudo_label
        out = pseudo_label(
            self.config,
            self.checkpoint,
            self.unlabeled,
            osp.join(work_dir, f'{self.name}.csv'),
            unlabeled_root=self.unlabeled_root,
            fit_on=self.fit_on,
            fit_root=self.fit_root,
            model_name=osp.splitext(osp.basename(self.config))[0],
            round=self.round,
            batch_size=self.batch_size,
            progress=False,
            cfg_options=self.cfg_options or None,
            fuse=self.fuse)
        return dict(ann_file=out)


@RECIPE_STAGES.register_module('extract_student')
class ExtractStudentStage(RecipeStage):
    """Write the student of a distiller checkpoint as a plain checkpoint.

    Outputs ``checkpoint`` (``student.pth`` in the stage folder), which the
    student's own config loads.

    Args:
        name (str): The stage's name.
        checkpoint (str): The distiller checkpoint.
        recipe_dir (str): Folder of the recipe file.
    """

    outputs = ('checkpoint', )

    def __init__(self,
                 name: str,
                 checkpoint: str,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, recipe_dir)
        self.checkpoint = checkpoint

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        return dict(checkpoint=hasher.file(self.checkpoint))

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...models.distillers import extract_student_checkpoint
        out = osp.join(work_dir, 'student.pth')
        extract_student_checkpoint(self.checkpoint, out)
        return dict(checkpoint=out)



@RECIPE_STAGES.register_module('curate')
class CurateStage(RecipeStage):
    """Keep the images of raw folders that show a face, as aligned crops.

    Runs :func:`fbp_mm.faces.curate_faces` (what ``tools/curate_faces.py``
    does) over one or more sources into the stage folder and outputs
    ``data_root`` (the stage folder) and ``ann_file`` (``faces.txt``, the
    crops relative to it), which an :class:`UnlabeledFaceDataset` reads.
    An interrupted run resumes from the curation journal. The fingerprint
    covers the sources' listings and every setting.

    Args:
        name (str): The stage's name.
        source (str | Sequence[str]): Folder trees or list files of images.
        detector (dict, optional): Detector config. Defaults to
            ``dict(type='DlibHogFace')``.
        min_size (int): Smallest face kept (pixels). Defaults to 40.
        size (int): Side of the crops. Defaults to 112.
        margin (float): Context around the aligned face. Defaults to 0.2.
        align (bool): Align with the 68 landmarks. Defaults to True.
        workers (int): Worker processes. Defaults to 0.
        retrieval (dict, optional): Face-aware retrieval options of
            :func:`fbp_mm.faces.curate_faces`. Defaults to None.
        recipe_dir (str): Folder of the recipe file.

    Example:
        >>> stage = dict(name='curate', type='curate',
        ...              source=['data/raw/photos', 'data/raw/more'],
        ...              size=64)
    """

    outputs = ('data_root', 'ann_file')

    def __init__(self,
                 name: str,
                 source: Union[str, Sequence[str]],
                 detector: Optional[dict] = None,
                 min_size: int = 40,
                 size: int = 112,
                 margin: float = 0.2,
                 align: bool = True,
                 workers: int = 0,
                 retrieval: Optional[dict] = None,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, recipe_dir)
        sources = [source] if isinstance(source, str) else list(source)
        if not sources:
            raise ValueError(f'Stage {name!r}: source names no folder')
        self.sources = [osp.abspath(s) for s in sources]
        self.options = dict(
            detector=dict(detector) if detector else None,
            min_size=int(min_size), size=int(size), margin=float(margin),
            align=bool(align),
            retrieval=dict(retrieval) if retrieval else None)
        self.workers = int(workers)

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        prints = {f'source:{s}': hasher.path(s) for s in self.sources}
        prints['settings'] = json_sha256(self.options)
        return prints

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...faces import curate_faces, find_images
        paths = [p for s in self.sources for p in find_images(s)]
        report = curate_faces(paths, work_dir, workers=self.workers,
                              **self.options)
        counts = ', '.join(f'{k} {v}' for k, v in
                           sorted(report['counts'].items()))
        print(f'[{self.name}] {report["num_images"]} images: {counts}',
              flush=True)
        return dict(data_root=work_dir,
                    ann_file=osp.join(work_dir, 'faces.txt'))

    def describe(self) -> str:
        return f'{type(self).__name__} {", ".join(self.sources)}'


@RECIPE_STAGES.register_module('landmarks')
class LandmarksStage(RecipeStage):
    """Write the 68 landmarks of every image of a folder.

    Runs :func:`fbp_mm.faces.write_landmarks` (what
    ``tools/dataset_converters/write_landmarks.py`` does) on ``source``
    into the stage folder and outputs ``landmark_file``, the absolute path
    of ``landmarks.txt`` (``<image> x0 y0 ... x67 y67``, images relative to
    ``source``), which :class:`UnlabeledFaceDataset` reads as its
    ``landmark_file`` when its ``data_root`` is ``source``. Images without a
    usable face are counted in the stage's ``report.json``. An interrupted
    run resumes. The fingerprint covers the folder's images (names and
    sizes) and every setting.

    Args:
        name (str): The stage's name.
        source (str): Image folder (searched recursively), e.g.
            ``'@curate.data_root'``.
        detector (dict, optional): Detector config. Defaults to
            ``dict(type='DlibHogFace')``.
        min_size (int): Smallest face kept (pixels). Defaults to 0.
        workers (int): Worker processes. Defaults to 0.
        recipe_dir (str): Folder of the recipe file.

    Example:
        >>> stage = dict(name='landmarks', type='landmarks',
        ...              source='@curate.data_root')
    """

    outputs = ('landmark_file', )

    def __init__(self,
                 name: str,
                 source: str,
                 detector: Optional[dict] = None,
                 min_size: int = 0,
                 workers: int = 0,
                 recipe_dir: str = '.') -> None:
        super().__init__(name, recipe_dir)
        self.source = osp.abspath(source)
        self.options = dict(
            detector=dict(detector) if detector else None,
            min_size=int(min_size))
        self.workers = int(workers)

    def fingerprint(self, hasher: FileHasher) -> Dict[str, str]:
        # the images only (names and sizes): a recipe stage folder as the
        # source also holds logs that change when nothing else does
        from ...faces import find_images
        listing = [(osp.relpath(p, self.source), osp.getsize(p))
                   for p in find_images(self.source)] \
            if osp.isdir(self.source) else None
        return {f'source:{self.source}': json_sha256(listing),
                'settings': json_sha256(self.options)}

    def run(self, work_dir: str, resume: bool) -> Dict[str, Any]:
        from ...faces import write_landmarks
        report = write_landmarks(self.source, work_dir, workers=self.workers,
                                 **self.options)
        counts = ', '.join(f'{k} {v}' for k, v in
                           sorted(report['counts'].items()))
        print(f'[{self.name}] {report["num_images"]} images: {counts}',
              flush=True)
        return dict(landmark_file=report['landmarks_file'])

    def describe(self) -> str:
        return f'{type(self).__name__} {self.source}'
