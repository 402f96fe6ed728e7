from .kd_losses import (FeatureCosineKD, FeatureMSEKD, KLDivergenceKD,
                        RelationalAngleKD, RelationalDistanceKD)
from .plcc_loss import PLCCLoss
from .pointwise_loss import L1Loss, MSELoss, SmoothL1Loss
from .rank_loss import PairwiseRankLoss

__all__ = [
    'L1Loss', 'MSELoss', 'PLCCLoss', 'PairwiseRankLoss', 'SmoothL1Loss',
    'FeatureCosineKD', 'FeatureMSEKD', 'KLDivergenceKD', 'RelationalAngleKD',
    'RelationalDistanceKD'
]
