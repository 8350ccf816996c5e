"""PoseConv3D heatmap volumes drawn in batch with torch, on whatever device the keypoints are.

The same values as mmaction2's ``GeneratePoseTarget`` (and ``posetools.GeneratePoseTarget``)
up to the last bits of ``exp``: every Gaussian lives in mmaction2's truncated window, a
keypoint (limb) below the score threshold is not drawn, overlaps combine with ``max``.
Instead of looping over (person, frame, keypoint) in Python, all Gaussians of a batch are
evaluated at once on patches the size of the largest window and scattered into the volumes
with ``amax``.
"""
from typing import Optional, Sequence, Tuple

import torch

EPS = 1e-4  # mmaction2: keypoints (limbs) with a score (smaller end score) below it are skipped


def window_pixels(low: torch.Tensor, high: torch.Tensor, sigma: float, size: int,
                  keep: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Pixels of mmaction2's windows ``[int(low - 3 sigma), int(high + 3 sigma)]``.

    ``int()`` truncates towards zero, in float64, and windows are clipped to the image.

    Args:
        low, high: (...) float32 window bounds before widening.
        sigma: Gaussian sigma in pixels.
        size: image size along this axis.
        keep: (...) bool, items that will be drawn (they alone set the patch size K).

    Returns:
        ``(pixel, inside)``: (..., K) long indices from each window's start (clipped to
        the image) and whether each lies inside its window.
    """
    start = torch.trunc(low.double() - 3 * sigma).clamp(0, size).long()
    stop = (torch.trunc(high.double() + 3 * sigma) + 1).clamp(0, size).long()
    width = int((stop - start)[keep].max()) if keep.any() else 1
    pixel = start[..., None] + torch.arange(max(width, 1), device=low.device)
    return pixel.clamp(max=size - 1), pixel < stop[..., None]


def gaussian_patches(xs: torch.Tensor, ys: torch.Tensor, start: torch.Tensor,
                     end: Optional[torch.Tensor], value: torch.Tensor,
                     sigma: float) -> torch.Tensor:
    """mmaction2's Gaussian of a point, or of the distance to a segment, on (Ky, Kx) pixels.

    Args:
        xs, ys: (..., Kx) and (..., Ky) pixel indices.
        start: (..., 2) float32 points or segment starts.
        end: (..., 2) float32 segment ends at least 1 pixel from ``start``, or None.
        value: (...) float32 peaks.
        sigma: Gaussian sigma in pixels.

    Returns:
        (..., Ky, Kx) float32.
    """
    xs, ys = xs.float()[..., None, :], ys.float()[..., :, None]

    def squared_distance(point: torch.Tensor) -> torch.Tensor:  # (..., Ky, Kx), float32
        return (xs - point[..., 0, None, None]).square() + (ys - point[..., 1, None, None]).square()

    d2_start = squared_distance(start)
    if end is None:
        return torch.exp(-d2_start / 2 / sigma**2) * value[..., None, None]
    d2_end = squared_distance(end)
    # mmaction2's squared length: float32 differences squared in float64, then meeting
    # float32 arrays (so rounded to float32)
    d2_ab = (start - end).double().square().sum(-1).float()[..., None, None]
    coeff = (d2_start - d2_end + d2_ab) / 2. / d2_ab  # projection parameter along the segment
    beyond_end = coeff >= 1
    coeff = coeff.clamp(min=0)  # before the start the nearest point is the start itself
    direction = end - start
    projection = torch.stack([start[..., 0, None, None] + coeff * direction[..., 0, None, None],
                              start[..., 1, None, None] + coeff * direction[..., 1, None, None]],
                             dim=-1)
    d2_line = (xs - projection[..., 0]).square() + (ys - projection[..., 1]).square()
    d2 = torch.where(beyond_end, d2_end, d2_line)
    # mmaction2 evaluates the limb Gaussian in float64
    return (torch.exp(d2.double() * -0.5 / sigma**2) * value.double()[..., None, None]).float()


def draw_gaussians(heatmap: torch.Tensor, channel: torch.Tensor, start: torch.Tensor,
                   end: Optional[torch.Tensor], value: torch.Tensor, keep: torch.Tensor,
                   sigma: float) -> None:
    """Max the Gaussians of points (``end=None``) or segments into ``heatmap`` in place.

    Args:
        heatmap: (B, T, C, H, W) float32 volumes (non-negative).
        channel: (N,) long channel of each item.
        start: (B, T, N, 2) float32 points or segment starts (pixels x, y).
        end: (B, T, N, 2) float32 segment ends at least 1 pixel from ``start``, or None.
        value: (B, T, N) float32 peaks (scores).
        keep: (B, T, N) bool, the items to draw.
        sigma: Gaussian sigma in pixels.
    """
    batch, frames, channels, height, width = heatmap.shape
    ends = (start, ) if end is None else (start, end)
    for point in ends:
        keep = keep & torch.isfinite(point).all(-1)
    zero = torch.zeros((), device=start.device)
    start, end = (torch.where(keep[..., None], point, zero) for point in (start, ends[-1]))
    low, high = torch.minimum(start, end), torch.maximum(start, end)
    xs, inside_x = window_pixels(low[..., 0], high[..., 0], sigma, width, keep)
    ys, inside_y = window_pixels(low[..., 1], high[..., 1], sigma, height, keep)
    patch = gaussian_patches(xs, ys, start, None if len(ends) == 1 else end, value, sigma)
    inside = inside_y[..., :, None] & inside_x[..., None, :] & keep[..., None, None]
    image = torch.arange(batch * frames, device=start.device).view(batch, frames, 1) * channels
    image = image + channel  # B, T, N: index of each item's (H, W) image
    index = (image[..., None, None] * height + ys[..., :, None]) * width + xs[..., None, :]
    heatmap.view(-1).scatter_reduce_(0, index[inside], patch[inside], 'amax')


def draw_heatmap_volumes(keypoint: torch.Tensor, score: torch.Tensor, size: Tuple[int, int],
                         sigma: float, with_kp: bool, with_limb: bool,
                         skeletons: Sequence[Sequence[int]]) -> torch.Tensor:
    """mmaction2's heatmap volumes of a batch of clips.

    Args:
        keypoint: (B, M, T, V, 2) float32 pixel coordinates.
        score: (B, M, T, V) float32 peaks (ones for ``use_score=False``; 0 for padding).
        size: (H, W) of the heatmaps.
        sigma: Gaussian sigma in pixels.
        with_kp, with_limb: draw keypoints, limbs (channel layout as mmaction2 1.2.0: with
            both, limb i is maxed into channel i and the last L channels stay zero).
        skeletons: the limbs as (start, end) keypoint indices.

    Returns:
        (B, T, C, H, W) float32 with C = V * with_kp + L * with_limb.
    """
    batch, persons, frames, joints, _ = keypoint.shape
    limbs = torch.as_tensor(skeletons, dtype=torch.long, device=keypoint.device).reshape(-1, 2)
    channels = joints * with_kp + len(limbs) * with_limb
    heatmap = keypoint.new_zeros((batch, frames, channels) + tuple(size))
    keypoint, score = keypoint.transpose(1, 2), score.transpose(1, 2)  # B, T, M, V(, 2)
    drawn = ~(score.double() < EPS)
    if with_kp:  # keypoint v of every person into channel v
        items = (batch, frames, persons * joints)
        draw_gaussians(heatmap, torch.arange(joints, device=keypoint.device).repeat(persons),
                       keypoint.reshape(items + (2, )), None, score.reshape(items),
                       drawn.reshape(items), sigma)
    if with_limb:  # limb l of every person into channel l
        items = (batch, frames, persons * len(limbs))
        start = keypoint[:, :, :, limbs[:, 0]].reshape(items + (2, ))
        end = keypoint[:, :, :, limbs[:, 1]].reshape(items + (2, ))
        start_value = score[..., limbs[:, 0]].reshape(items)
        end_value = score[..., limbs[:, 1]].reshape(items)
        both = (drawn[..., limbs[:, 0]] & drawn[..., limbs[:, 1]]).reshape(items)
        channel = torch.arange(len(limbs), device=keypoint.device).repeat(persons)
        # ends less than a pixel apart: the start keypoint with its score (mmaction2)
        short = (start - end).double().square().sum(-1) < 1
        draw_gaussians(heatmap, channel, start, None, start_value, both & short, sigma)
        draw_gaussians(heatmap, channel, start, end, torch.minimum(start_value, end_value),
                       both & ~short, sigma)
    return heatmap
