"""posetools.visualization.heatmaps: colour maps and heatmap volumes as image grids."""
import numpy as np
import pytest
from matplotlib import colormaps

from posetools.visualization import colorize, heatmap_grid


def test_colorize_is_the_matplotlib_colour_map_on_the_range():
    values = np.array([[-1., 0.], [0.5, 2.]])
    colors = colorize(values, 'viridis', vmin=0., vmax=1.)
    assert colors.shape == (2, 2, 3) and colors.dtype == np.uint8
    expected = colormaps['viridis'](np.array([[0., 0.], [0.5, 1.]]), bytes=True)[..., :3]
    assert (colors == expected).all()
    with pytest.raises(ValueError, match='vmax > vmin'):
        colorize(values, vmin=1., vmax=1.)


def test_keypoint_volume_grid_has_a_row_per_channel_and_a_column_per_frame():
    rng = np.random.default_rng(0)
    volume = rng.random((3, 4, 5, 6)).astype(np.float32)  # K, T, H, W
    grid = heatmap_grid(volume, cmap='gray', pad=2)
    assert grid.shape == (3 * 7 - 2, 4 * 8 - 2, 3)
    for k in range(3):
        for t in range(4):
            cell = grid[k * 7:k * 7 + 5, t * 8:t * 8 + 6]
            assert (cell == colorize(volume[k, t], 'gray', 0., volume.max())).all()
    assert (grid[5:7] == 255).all() and (grid[:, 6:8] == 255).all()  # white padding


def test_single_volume_is_one_row_and_unnormalised_volumes_clip():
    volume = np.full((2, 3, 3), 0.5, np.float32)
    assert heatmap_grid(volume, pad=0).shape == (3, 6, 3)
    gray = heatmap_grid(volume, cmap='gray', normalize=False, pad=0)
    assert (np.abs(gray.astype(int) - 128) <= 1).all()  # 0.5 of [0, 1], not of the max
    assert (heatmap_grid(np.zeros((1, 2, 2)), cmap='gray') == 0).all()  # no positive value
    with pytest.raises(ValueError, match=r'\(K, T, H, W\) or \(T, H, W\)'):
        heatmap_grid(np.zeros((2, 2)))
