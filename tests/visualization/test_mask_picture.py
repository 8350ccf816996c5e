"""posetools.visualization.mask_picture and gif: the figure and the animation of a clip's
mask, the saliency shown beside each masker, and the GIF writer."""
import cv2
import numpy as np
import pytest
import torch
from PIL import Image, ImageSequence

from posetools.models.maskers import DirectedMasker, MotionMasker, TubeMasker, motion_saliency
from posetools.visualization import (clip_frames, directing_saliency, grey_masked,
                                     mask_animation, mask_figure, masks_comparison,
                                     overlay_saliency, saliency_label, save_gif)

GRID = (2, 4, 4)
FRAMES = (4, 32, 32)


@pytest.fixture
def clip():
    """(T, H, W, 3) frames without white pixels, a mask and a saliency."""
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 200, (*FRAMES, 3), dtype=np.uint8)
    mask = rng.random(GRID) < 0.75
    saliency = np.where(rng.random(GRID) < 0.5, 0., rng.random(GRID))
    return frames, mask, saliency


def test_clip_frames_is_the_packed_clip_as_rgb_frames():
    clip = torch.arange(3 * 2 * 4 * 5, dtype=torch.float32).view(3, 2, 4, 5) * 3 - 20
    frames = clip_frames(clip)
    assert frames.shape == (2, 4, 5, 3) and frames.dtype == np.uint8
    assert (frames == clip.clamp(0, 255).permute(1, 2, 3, 0).numpy()).all()
    with pytest.raises(ValueError, match=r'\(3, T, H, W\)'):
        clip_frames(clip[:2])


def test_the_saliency_shown_is_what_directs_the_masker():
    videos = torch.rand(1, 3, *FRAMES)
    saliency = torch.rand(1, *GRID)
    assert directing_saliency(TubeMasker(), saliency, videos, GRID) is saliency
    assert directing_saliency(TubeMasker(), None, videos, GRID) is None
    assert directing_saliency(DirectedMasker(), saliency, videos, GRID) is saliency
    assert torch.equal(directing_saliency(MotionMasker(), saliency, videos, GRID),
                       motion_saliency(videos, GRID))
    state = torch.get_rng_state()
    directing_saliency(MotionMasker(), None, videos, GRID)
    assert torch.equal(torch.get_rng_state(), state)  # no random draws
    assert saliency_label(MotionMasker()) == 'saliency directing the masks'
    assert 'TubeMasker ignores it' in saliency_label(TubeMasker())


def test_mask_figure_has_a_saliency_row_only_with_a_saliency(clip):
    frames, mask, saliency = clip
    without = mask_figure(frames, mask, title='t')
    with_saliency = mask_figure(frames, mask, saliency, title='t')
    assert without.dtype == np.uint8 and without.ndim == 3 and without.shape[2] == 3
    assert with_saliency.shape[1] == without.shape[1]
    assert with_saliency.shape[0] > without.shape[0] + 100  # a row and a colour bar


def test_mask_figure_draws_people_inside_the_frame(clip):
    frames, mask, _ = clip
    keypoints = np.random.default_rng(1).uniform(-40, 70, (2, FRAMES[0], 17, 2))
    scores = np.ones(keypoints.shape[:3])
    boxes = np.tile([[[4., 4., 20., 28.]]], (2, FRAMES[0], 1))
    plain = mask_figure(frames, mask)
    people = mask_figure(frames, mask, keypoints=keypoints, keypoint_scores=scores,
                         boxes=boxes)
    assert people.shape == plain.shape  # keypoints far outside do not widen the frames
    assert (people != plain).any()


def test_animation_panels_are_the_enlarged_overlays(clip):
    frames, mask, saliency = clip
    out = mask_animation(frames, mask, saliency, scale=3)
    assert out.shape[0] == FRAMES[0] and out.dtype == np.uint8
    height, width = 3 * FRAMES[1], 3 * FRAMES[2]
    top = int(np.flatnonzero((out[0, :, 0] != 255).any(axis=-1))[0])  # below the header
    assert out.shape[2] == 3 * width + 2 * 4  # three panels and two gaps
    for t in range(FRAMES[0]):
        for p, panel in enumerate([frames, grey_masked(frames, mask),
                                   overlay_saliency(frames, saliency)]):
            enlarged = cv2.resize(panel[t], None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
            left = p * (width + 4)
            assert (out[t, top:top + height, left:left + width] == enlarged).all(), (t, p)
    assert mask_animation(frames, mask).shape[2] == 2 * 6 * FRAMES[2] + 4  # default: >= 192 px


def test_save_gif_writes_every_frame(tmp_path, clip):
    images = mask_animation(*clip)
    path = save_gif(tmp_path / 'clip.gif', images, fps=5)
    with Image.open(path) as gif:
        frames = [frame.convert('RGB') for frame in ImageSequence.Iterator(gif)]
        assert gif.info['duration'] == 200 and gif.info['loop'] == 0
    assert len(frames) == FRAMES[0]
    assert frames[0].size == (images.shape[2], images.shape[1])
    with pytest.raises(ValueError, match=r'\(T, H, W, 3\)'):
        save_gif(tmp_path / 'bad.gif', images[0])


def test_masks_comparison_has_a_row_per_masker(clip):
    frames, mask, _ = clip
    one = masks_comparison(frames, [('a', mask)])
    three = masks_comparison(frames, [('a', mask), ('b', ~mask), ('c', mask)])
    assert one.dtype == np.uint8 and one.shape[1] == three.shape[1]
    assert three.shape[0] - one.shape[0] == 2 * 120  # two more rows of 1.2 in at 100 dpi
