"""Registered backbones."""
from posetools.models.backbones.skeleton_transformer import SkeletonTransformer
from posetools.models.backbones.video_vit import VideoViT

__all__ = ['SkeletonTransformer', 'VideoViT']
