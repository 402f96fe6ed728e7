from .partly_labeled import PartlyLabeledDataPreprocessor

__all__ = ['PartlyLabeledDataPreprocessor']
