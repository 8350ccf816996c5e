"""VideoMAE's tube masking: one random spatial mask repeated over all time steps."""
from typing import Optional, Tuple

import torch

from posetools.models.maskers.base_masker import BaseMasker
from posetools.registry import MASKERS


@MASKERS.register_module()
class TubeMasker(BaseMasker):
    """Mask the same ``int(mask_ratio * H' * W')`` spatial positions in every time step.

    Masked "tubes" through time keep the model from copying a patch from the next frame.

    Args:
        mask_ratio (float): Fraction of tokens to mask. Defaults to 0.9 (VideoMAE).
        seed (int, optional): Seed of a private generator. Defaults to None.
    """

    def __init__(self, mask_ratio: float = 0.9, seed: Optional[int] = None) -> None:
        super().__init__(mask_ratio, seed)

    def __call__(self, batch_size: int, grid_size: Tuple[int, int, int], device: torch.device,
                 saliency: Optional[torch.Tensor] = None,
                 videos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, T' * H' * W') bool masks, True where a token is masked, in (t, h, w) order."""
        frames, height, width = grid_size
        noise = self.noise((batch_size, height * width), device)
        spatial = self.mask_highest(noise, self.num_masked(height * width))  # (N, H'W')
        return spatial.repeat(1, frames)
