"""Registered backbones."""
from posetools.models.backbones.skeleton_transformer import SkeletonTransformer

__all__ = ['SkeletonTransformer']
