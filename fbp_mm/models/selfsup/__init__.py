from .latent_distilled_mae import LatentDistilledMAE

__all__ = ['LatentDistilledMAE']
