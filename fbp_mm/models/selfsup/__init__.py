from .latent_distilled_mae import LatentDistilledMAE
from .pros import ProS

__all__ = ['LatentDistilledMAE', 'ProS']
