"""VideoMAE V2's running-cell masking: a 2 x 2 cell pattern that shifts every time step."""
from typing import Optional, Tuple

import torch

from posetools.models.maskers.base_masker import BaseMasker
from posetools.registry import MASKERS


@MASKERS.register_module()
class RunningCellMasker(BaseMasker):
    """Mask ``k = 4 * mask_ratio`` tokens of every 2 x 2 cell, the pattern running in time.

    VideoMAE V2 (Wang et al. 2023) uses it to choose the tokens its decoder reconstructs.
    The cell's four positions, in raster order, take the values of the queue
    ``q = [1] * k + [0] * (4 - k)`` (1 = masked) rotated by ``p + t + 1`` at time step t:
    ``cell_t[i] = q[(i + p + t + 1) % 4]``, with one random start ``p`` in {0, 1, 2, 3} per
    sample, and every cell of the H' x W' grid is the same. So each time step masks
    ``k / 4`` of the tokens, and every position is visible in ``4 - k`` of any 4 steps.

    Args:
        mask_ratio (float): 0.25, 0.5 or 0.75. Defaults to 0.75.
        seed (int, optional): Seed of a private generator. Defaults to None.
    """

    def __init__(self, mask_ratio: float = 0.75, seed: Optional[int] = None) -> None:
        super().__init__(mask_ratio, seed)
        if mask_ratio not in (0.25, 0.5, 0.75):
            raise ValueError('RunningCellMasker masks 1, 2 or 3 tokens of each 2 x 2 cell: '
                             f'mask_ratio must be 0.25, 0.5 or 0.75, got {mask_ratio}')

    def __call__(self, batch_size: int, grid_size: Tuple[int, int, int], device: torch.device,
                 saliency: Optional[torch.Tensor] = None,
                 videos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, T' * H' * W') bool masks, True where a token is masked, in (t, h, w) order."""
        frames, height, width = grid_size
        if height % 2 or width % 2:
            raise ValueError(f'RunningCellMasker tiles 2 x 2 cells: the token grid '
                             f'{height} x {width} must have even sides')
        queue = torch.arange(4, device=device) < int(4 * self.mask_ratio)  # (4,)
        start = (self.noise((batch_size, 1, 1), device) * 4).long()  # (N, 1, 1)
        step = torch.arange(frames, device=device).view(1, -1, 1)
        cells = queue[(torch.arange(4, device=device) + start + step + 1) % 4]  # (N, T', 4)
        cells = cells.view(batch_size, frames, 2, 2)
        return cells.repeat(1, 1, height // 2, width // 2).flatten(1)
