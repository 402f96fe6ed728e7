from .launch import setup_cpu_distributed
from .metrics_table import format_metrics_table

__all__ = ['format_metrics_table', 'setup_cpu_distributed']
