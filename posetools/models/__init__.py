"""posetools models: backbones, necks, heads, maskers, algorithms, data preprocessors.

Recognisers are mmaction2's, used by scoped name (``mmaction.RecognizerGCN``).
"""
from posetools.models.algorithms import VideoMAE
from posetools.models.backbones import SkeletonTransformer, VideoViT
from posetools.models.data_preprocessors import HeatmapDataPreprocessor
from posetools.models.heads import MAEPixelHead, SkeletonClsHead
from posetools.models.maskers import (DirectedMasker, MotionMasker, RandomMasker,
                                      RunningCellMasker, TubeMasker)
from posetools.models.necks import MAEDecoder

__all__ = [
    'VideoMAE', 'SkeletonTransformer', 'VideoViT', 'HeatmapDataPreprocessor', 'MAEPixelHead',
    'SkeletonClsHead', 'DirectedMasker', 'MotionMasker', 'RandomMasker', 'RunningCellMasker',
    'TubeMasker', 'MAEDecoder'
]
