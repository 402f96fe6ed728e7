from .face_prior import FacePrior
from .latent_distilled_mae import LatentDistilledMAE
from .pros import ProS

__all__ = ['FacePrior', 'LatentDistilledMAE', 'ProS']
