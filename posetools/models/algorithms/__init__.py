"""Registered algorithms: models that wire backbones, necks, heads and maskers."""
from posetools.models.algorithms.video_mae import VideoMAE

__all__ = ['VideoMAE']
