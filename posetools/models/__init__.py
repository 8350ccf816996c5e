"""posetools models: backbones, heads, data preprocessors and the layers they share.

Recognisers are mmaction2's, used by scoped name (``mmaction.RecognizerGCN``).
"""
from posetools.models.backbones import SkeletonTransformer
from posetools.models.data_preprocessors import HeatmapDataPreprocessor
from posetools.models.heads import SkeletonClsHead

__all__ = ['SkeletonTransformer', 'HeatmapDataPreprocessor', 'SkeletonClsHead']
