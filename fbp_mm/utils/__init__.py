from .benchmark import (benchmark, benchmark_config, format_benchmark_table,
                        write_benchmark_json)
from .cfg_checks import (check_data_roots, check_device, check_hook_args,
                         check_out_file,
                         unknown_cfg_options, warn_unknown_cfg_options)
from .config_loading import load_config, package_bases_looked_up_once
from .launch import (build_runner, disable_persistent_workers_without_workers,
                     finish_distributed, set_work_dir, setup_cpu_distributed)
from .metrics_table import format_metrics_table
from .process_exit import freeze_objects_at_exit
from .setup_env import register_all_modules

__all__ = [
    'build_runner', 'set_work_dir',
    'disable_persistent_workers_without_workers', 'finish_distributed',
    'format_metrics_table', 'setup_cpu_distributed', 'check_out_file',
    'check_device', 'check_hook_args',
    'check_data_roots', 'unknown_cfg_options', 'warn_unknown_cfg_options',
    'benchmark', 'benchmark_config', 'format_benchmark_table',
    'write_benchmark_json', 'register_all_modules', 'load_config',
    'package_bases_looked_up_once', 'freeze_objects_at_exit'
]
