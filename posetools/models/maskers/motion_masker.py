"""Masking directed by motion: saliency from frame differences, no flow network."""
from typing import Optional, Tuple

import torch

from posetools.models.maskers.directed_masker import DirectedMasker
from posetools.models.maskers.motion_saliency import motion_saliency
from posetools.registry import MASKERS


@MASKERS.register_module()
class MotionMasker(DirectedMasker):
    """``DirectedMasker`` whose saliency is the clip's own motion (:func:`motion_saliency`).

    Computed on the device from the input clips (normalised pixels), so it needs no pose
    data and works on any video config. ``mode='mask_salient'`` masks the moving tokens
    preferentially (MOFO's idea), ``'keep_salient'`` keeps them visible. Other arguments:
    see :class:`DirectedMasker`; a clip without motion falls back as configured.
    """

    def saliency_of(self, saliency: Optional[torch.Tensor], videos: Optional[torch.Tensor],
                    grid_size: Tuple[int, int, int]) -> torch.Tensor:
        """The (N, T', H', W') motion saliency of ``videos``; the data samples' is ignored."""
        if videos is None:
            raise ValueError('MotionMasker needs the input clips (VideoMAE passes them)')
        return motion_saliency(videos, grid_size)
