"""Registered heads."""
from posetools.models.heads.mae_pixel_head import MAEPixelHead
from posetools.models.heads.skeleton_cls_head import SkeletonClsHead

__all__ = ['MAEPixelHead', 'SkeletonClsHead']
