"""posetools.visualization.masks: masked tokens greyed exactly where the mask says, the
saliency coloured exactly where it is positive, tubelets mapped to their frames."""
import numpy as np
import pytest

from posetools.visualization import grey_masked, overlay_saliency, tokens_to_frames

GRID = (4, 3, 5)  # T', H', W'
TUBELET, PATCH_H, PATCH_W = 2, 4, 3
FRAMES = (GRID[0] * TUBELET, GRID[1] * PATCH_H, GRID[2] * PATCH_W)  # (8, 12, 15)


def token_pixels(array: np.ndarray, k: int, i: int, j: int) -> np.ndarray:
    """The (t, p_h, p_w, ...) block of tubelet (k, i, j) of a (T, H, W, ...) array."""
    return array[k * TUBELET:(k + 1) * TUBELET, i * PATCH_H:(i + 1) * PATCH_H,
                 j * PATCH_W:(j + 1) * PATCH_W]


@pytest.fixture
def frames() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (*FRAMES, 3), dtype=np.uint8)


def test_tokens_to_frames_maps_each_tubelet_to_its_pixels():
    tokens = np.arange(np.prod(GRID)).reshape(GRID)
    pixels = tokens_to_frames(tokens, FRAMES)
    assert pixels.shape == FRAMES
    for k, i, j in np.ndindex(*GRID):
        assert (token_pixels(pixels, k, i, j) == tokens[k, i, j]).all()


@pytest.mark.parametrize('shape', [(8, 12, 14), (7, 12, 15), (2, 12, 15)])
def test_tokens_to_frames_refuses_grids_that_do_not_tile(shape):
    with pytest.raises(ValueError, match='does not tile'):
        tokens_to_frames(np.zeros(GRID), shape)


@pytest.mark.parametrize('fade,grey', [(0.3, 32), (0., 32), (0.5, 200), (1., 0)])
def test_grey_masked_token_by_token(frames, fade, grey):
    mask = np.random.default_rng(1).random(GRID) < 0.7
    out = grey_masked(frames, mask, fade=fade, grey=grey)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    for k, i, j in np.ndindex(*GRID):
        got, original = token_pixels(out, k, i, j), token_pixels(frames, k, i, j)
        if mask[k, i, j]:
            r, g, b = np.moveaxis(original.astype(np.float64), -1, 0)
            luma = 0.299 * r + 0.587 * g + 0.114 * b
            expected = np.round(fade * luma + (1 - fade) * grey)
            assert (got == expected[..., None]).all(), (k, i, j)
        else:
            assert (got == original).all(), (k, i, j)


def test_grey_masked_without_fade_is_flat_grey(frames):
    mask = np.zeros(GRID, bool)
    mask[1, 2, 3] = True
    out = grey_masked(frames, mask, fade=0., grey=77)
    assert (token_pixels(out, 1, 2, 3) == 77).all()
    assert np.count_nonzero((out != frames).any(-1)) <= TUBELET * PATCH_H * PATCH_W


def test_overlay_saliency_changes_pixels_only_where_saliency_is_positive(frames):
    rng = np.random.default_rng(2)
    saliency = np.where(rng.random(GRID) < 0.5, 0., rng.uniform(0.3, 1., GRID))
    saliency[0, 0, 0], saliency[0, 0, 1] = 0., 1.
    out = overlay_saliency(frames, saliency)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    for k, i, j in np.ndindex(*GRID):
        changed = token_pixels(out, k, i, j) != token_pixels(frames, k, i, j)
        if saliency[k, i, j] == 0:
            assert not changed.any(), (k, i, j)
        else:
            assert changed.any(), (k, i, j)


def test_overlay_saliency_blends_the_colour_map_in_proportion():
    frames = np.full((*FRAMES, 3), 100, np.uint8)
    saliency = np.zeros(GRID)
    saliency[2, 1, 1] = 1.
    saliency[3, 0, 4] = 0.5
    out = overlay_saliency(frames, saliency, alpha=1., cmap='gray')  # gray: c(s) = 255 s
    assert (token_pixels(out, 2, 1, 1) == 255).all()
    expected = round(0.5 * 100 + 0.5 * 255 * 0.5)
    assert (np.abs(token_pixels(out, 3, 0, 4).astype(int) - expected) <= 1).all()
