"""Registered heads."""
from posetools.models.heads.skeleton_cls_head import SkeletonClsHead

__all__ = ['SkeletonClsHead']
