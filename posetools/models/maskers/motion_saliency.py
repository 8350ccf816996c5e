"""Motion saliency of clips on the token grid, from frame differences."""
from typing import Tuple

import torch
import torch.nn.functional as F


def motion_saliency(videos: torch.Tensor, grid_size: Tuple[int, int, int]) -> torch.Tensor:
    """(N, T', H', W') motion saliency in [0, 1] of (N, C, T, H, W) clips.

    ``m_t = mean_c |x_t - x_{t-1}|`` per pixel (the first frame takes the second's), averaged
    over each tubelet's T/T' x H/H' x W/W' pixels, then divided by the clip's maximum. A
    clip without any change is all zeros.
    """
    frames, height, width = videos.shape[2:]
    if frames < 2:
        raise ValueError(f'motion saliency needs clips of >= 2 frames, got {frames}')
    diff = (videos[:, :, 1:] - videos[:, :, :-1]).abs().mean(dim=1)  # (N, T - 1, H, W)
    diff = torch.cat([diff[:, :1], diff], dim=1)  # (N, T, H, W)
    kernel = (frames // grid_size[0], height // grid_size[1], width // grid_size[2])
    pooled = F.avg_pool3d(diff.unsqueeze(1).float(), kernel).squeeze(1)  # (N, T', H', W')
    peak = pooled.flatten(1).amax(dim=1).view(-1, 1, 1, 1)
    return torch.where(peak > 0, pooled / peak.clamp_min(1e-12), torch.zeros_like(pooled))
