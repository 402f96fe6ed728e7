"""Speed, memory and FLOPs of any config's model on synthetic data.

:func:`benchmark` builds the model of a config (a supervised classifier or
regressor, a :class:`~fbp_mm.models.TeacherStudentDistiller`, or a
self-supervised algorithm such as MMPretrain's ``MAE``, fbp_mm's ``ProS``
and ``FacePrior``), makes one batch of random images the way the config's
own data pipeline would hand it to the model, and times a training step
(through the config's optimizer wrapper), an inference step or a
distillation step. ``tools/analysis/benchmark.py`` is its command line.

Nothing is read from disk but the config: no image, no pretrained weights,
no teacher checkpoint (unless that file exists), and ``init_weights`` is not
run, so the weights are the modules' construction defaults. They do not
change the speed.
"""

from .models import build_benchmark_model, is_distiller, load_benchmark_config
from .inputs import (
    batch_input_size, config_pipeline, find_input_size, make_synthetic_batch,
    synthetic_results, synthetic_targets)
from .data_loading import benchmark_data_pipeline
from .config_reading import benchmark_config_reading, benchmark_config_text
from .process_exit import benchmark_process_exit
from .timing import (
    device_name, memory_kind, paired_speed_ratio, resolve_device,
    time_interleaved, time_steps)
from .reference import timm_reference
from .targets import (GPU_TARGETS, SpeedCheck, SpeedRun, check_speed_targets,
                      format_speed_targets)
from .report import (
    MODES, TABLE_FIELDS, TRAIN_FLOPS_FACTOR, benchmark, benchmark_config,
    format_benchmark_table, write_benchmark_json)

__all__ = [
    'GPU_TARGETS',
    'SpeedCheck',
    'SpeedRun',
    'check_speed_targets',
    'format_speed_targets',
    'MODES',
    'TABLE_FIELDS',
    'TRAIN_FLOPS_FACTOR',
    'batch_input_size',
    'benchmark_config_reading',
    'benchmark_config_text',
    'benchmark_data_pipeline',
    'benchmark_process_exit',
    'benchmark',
    'benchmark_config',
    'build_benchmark_model',
    'config_pipeline',
    'device_name',
    'find_input_size',
    'format_benchmark_table',
    'is_distiller',
    'load_benchmark_config',
    'make_synthetic_batch',
    'memory_kind',
    'paired_speed_ratio',
    'resolve_device',
    'synthetic_results',
    'synthetic_targets',
    'time_interleaved',
    'timm_reference',
    'time_steps',
    'write_benchmark_json',
]
