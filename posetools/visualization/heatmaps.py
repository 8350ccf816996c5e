"""Heatmap volumes as images: a colour map for values and a (keypoint x frame) image grid."""
import numpy as np
from matplotlib import colormaps


def colorize(values: np.ndarray, cmap: str = 'jet', vmin: float = 0.,
             vmax: float = 1.) -> np.ndarray:
    """RGB colours of ``values`` under a matplotlib colour map.

    Args:
        values: (...) array; clipped to ``[vmin, vmax]``.
        cmap: Matplotlib colour-map name.
        vmin: Value of the map's first colour.
        vmax: Value of the map's last colour (> vmin).

    Returns:
        (..., 3) uint8 RGB.
    """
    if vmax <= vmin:
        raise ValueError(f'colorize needs vmax > vmin, got {vmin}, {vmax}')
    scaled = (np.clip(np.asarray(values, np.float64), vmin, vmax) - vmin) / (vmax - vmin)
    return colormaps[cmap](scaled, bytes=True)[..., :3]


def heatmap_grid(volume: np.ndarray, cmap: str = 'viridis', pad: int = 1,
                 normalize: bool = True) -> np.ndarray:
    """A heatmap volume as one image: a row per keypoint channel, a column per frame.

    Args:
        volume: (K, T, H, W) keypoint heatmaps (e.g. ``GeneratePoseTarget``'s, before
            ``FormatShape``) or (T, H, W) one channel (e.g. a saliency).
        cmap: Matplotlib colour-map name.
        pad: White pixels between the cells.
        normalize: Map ``[0, volume.max()]`` onto the colour map (a volume without a
            positive value keeps ``[0, 1]``); False clips to ``[0, 1]``.

    Returns:
        (K * (H + pad) - pad, T * (W + pad) - pad, 3) uint8 RGB (K = 1 for (T, H, W)).
    """
    volume = np.asarray(volume, np.float32)
    if volume.ndim == 3:
        volume = volume[None]
    if volume.ndim != 4:
        raise ValueError(f'heatmap_grid needs a (K, T, H, W) or (T, H, W) volume, got shape '
                         f'{volume.shape}')
    peak = float(volume.max(initial=0.)) if normalize else 1.
    colors = colorize(volume, cmap, 0., peak if peak > 0 else 1.)  # (K, T, H, W, 3)
    rows, cols, height, width = volume.shape
    grid = np.full((rows * (height + pad) - pad, cols * (width + pad) - pad, 3), 255, np.uint8)
    for k in range(rows):
        for t in range(cols):
            top, left = k * (height + pad), t * (width + pad)
            grid[top:top + height, left:left + width] = colors[k, t]
    return grid
