"""MAE / MAE-ST masking: tokens masked uniformly at random over space and time."""
from typing import Optional, Tuple

import torch

from posetools.models.maskers.base_masker import BaseMasker
from posetools.registry import MASKERS


@MASKERS.register_module()
class RandomMasker(BaseMasker):
    """Mask ``int(mask_ratio * L)`` of the L = T' * H' * W' tokens uniformly at random.

    Args:
        mask_ratio (float): Fraction of tokens to mask. Defaults to 0.9 (MAE-ST).
        seed (int, optional): Seed of a private generator. Defaults to None.
    """

    def __init__(self, mask_ratio: float = 0.9, seed: Optional[int] = None) -> None:
        super().__init__(mask_ratio, seed)

    def __call__(self, batch_size: int, grid_size: Tuple[int, int, int], device: torch.device,
                 saliency: Optional[torch.Tensor] = None,
                 videos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, T' * H' * W') bool masks, True where a token is masked."""
        num_tokens = grid_size[0] * grid_size[1] * grid_size[2]
        noise = self.noise((batch_size, num_tokens), device)
        return self.mask_highest(noise, self.num_masked(num_tokens))
