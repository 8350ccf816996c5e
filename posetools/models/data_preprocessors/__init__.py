"""Data preprocessors: batch-level steps run on the model's device."""
from posetools.models.data_preprocessors.heatmap_data_preprocessor import \
    HeatmapDataPreprocessor

__all__ = ['HeatmapDataPreprocessor']
