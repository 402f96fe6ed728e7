"""Recipes: multi-stage methods as configs, run by one runner."""
from .few_shot import write_few_shot_recipe
from .references import find_references, substitute
from .runner import RecipeError, RecipeRunner, read_record
from .stages import (RECIPE_STAGES, ConfigStage, ExtractStudentStage,
                     PseudoLabelStage, RecipeStage, TestStage, TrainStage,
                     resolve_config_path, selected_checkpoint)
from .table import markdown_table, write_seed_table, write_table

__all__ = [
    'RECIPE_STAGES', 'ConfigStage', 'ExtractStudentStage',
    'PseudoLabelStage', 'RecipeError', 'RecipeRunner', 'RecipeStage',
    'TestStage', 'TrainStage', 'find_references', 'markdown_table',
    'read_record', 'resolve_config_path', 'selected_checkpoint',
    'substitute', 'write_few_shot_recipe', 'write_seed_table', 'write_table'
]
