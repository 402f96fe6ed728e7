from .launch import (disable_persistent_workers_without_workers,
                     finish_distributed, setup_cpu_distributed)
from .metrics_table import format_metrics_table

__all__ = [
    'disable_persistent_workers_without_workers', 'finish_distributed',
    'format_metrics_table', 'setup_cpu_distributed'
]
