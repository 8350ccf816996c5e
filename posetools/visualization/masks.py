"""Token masks and saliency over video frames, pixel by pixel (numpy, no plotting)."""
from typing import Tuple

import numpy as np

from posetools.visualization.heatmaps import colorize

MASKED_GREY = 32
"""Grey level that masked tokens fade to: dark, so they stand out from SynthAction's grey
background (111)."""
MASKED_FADE = 0.3
"""Share of a masked pixel's own luminance kept by :func:`grey_masked` by default."""
SALIENCY_ALPHA = 0.6
"""Opacity of the colour map at saliency 1 in :func:`overlay_saliency`."""
SALIENCY_CMAP = 'jet'
"""Colour map of the saliency overlay."""
LUMA = (0.299, 0.587, 0.114)
"""ITU-R BT.601 luminance weights of R, G, B."""


def tokens_to_frames(tokens: np.ndarray, frames_shape: Tuple[int, int, int]) -> np.ndarray:
    """Per-pixel values of a token grid: each tubelet's value on all of its pixels.

    Tubelet ``(k, i, j)`` of the ``(T', H', W')`` grid covers frames ``[k t, (k + 1) t)``,
    rows ``[i p_h, (i + 1) p_h)`` and columns ``[j p_w, (j + 1) p_w)`` with ``t = T / T'``,
    ``p_h = H / H'``, ``p_w = W / W'`` (a ``VideoViT``'s tubelets, in (t, h, w) order).

    Args:
        tokens: (T', H', W') values (a mask or a saliency).
        frames_shape: (T, H, W), multiples of the grid's sides.

    Returns:
        (T, H, W) array of ``tokens``' dtype.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 3 or any(
            side % cells or side < cells for side, cells in zip(frames_shape, tokens.shape)):
        raise ValueError(f'a token grid of shape {tokens.shape} does not tile frames of shape '
                         f'{tuple(frames_shape)} (T, H, W)')
    for axis, (side, cells) in enumerate(zip(frames_shape, tokens.shape)):
        tokens = np.repeat(tokens, side // cells, axis=axis)
    return tokens


def grey_masked(frames: np.ndarray, mask: np.ndarray, fade: float = MASKED_FADE,
                grey: int = MASKED_GREY) -> np.ndarray:
    """Frames whose masked tokens are greyed and darkened; visible tokens are untouched.

    A masked pixel of luminance ``y = 0.299 R + 0.587 G + 0.114 B`` becomes the grey
    ``round(fade * y + (1 - fade) * grey)`` in all three channels, so the hidden content
    stays faintly readable; ``fade=0`` blanks masked tokens to a flat ``grey`` (what the
    encoder sees).

    Args:
        frames: (T, H, W, 3) uint8 RGB frames.
        mask: (T', H', W') bool, True where a token is masked (see :func:`tokens_to_frames`).
        fade: Share of the pixel's luminance kept, in [0, 1].
        grey: Grey level, in [0, 255].

    Returns:
        (T, H, W, 3) uint8 RGB.
    """
    frames = np.asarray(frames, np.uint8)
    masked = tokens_to_frames(np.asarray(mask, bool), frames.shape[:3])  # (T, H, W)
    out = frames.copy()
    pixels = frames[masked].astype(np.float64)  # (P, 3), the masked pixels
    luma = LUMA[0] * pixels[:, 0] + LUMA[1] * pixels[:, 1] + LUMA[2] * pixels[:, 2]  # (P,)
    out[masked] = np.round(fade * luma + (1 - fade) * grey).astype(np.uint8)[:, None]
    return out


def overlay_saliency(frames: np.ndarray, saliency: np.ndarray, alpha: float = SALIENCY_ALPHA,
                     cmap: str = SALIENCY_CMAP) -> np.ndarray:
    """Frames with a token saliency blended over them as a colour map.

    A pixel of a tubelet with saliency ``s`` becomes ``round((1 - a) * pixel + a * c(s))``
    with ``a = alpha * s`` and ``c`` the colour map on ``[0, 1]``: tokens of saliency 0 keep
    their pixels exactly, the most salient ones are coloured most.

    Args:
        frames: (T, H, W, 3) uint8 RGB frames.
        saliency: (T', H', W') values in [0, 1] (clipped).
        alpha: Opacity at saliency 1, in [0, 1].
        cmap: Matplotlib colour-map name.

    Returns:
        (T, H, W, 3) uint8 RGB.
    """
    frames = np.asarray(frames, np.uint8)
    tokens = np.clip(np.asarray(saliency, np.float64), 0., 1.)
    pixels = tokens_to_frames(tokens, frames.shape[:3])  # (T, H, W)
    weight = alpha * pixels[..., None]  # (T, H, W, 1)
    colors = colorize(pixels, cmap)  # (T, H, W, 3)
    blended = np.round((1 - weight) * frames + weight * colors).astype(np.uint8)
    return np.where(weight > 0, blended, frames)
