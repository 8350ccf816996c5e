"""PoseSaliency: the people's saliency on the token grid, on rendered SynthAction clips after
mmaction2's augmentations, and against a brute-force pixel computation."""
import math
import re

import mmengine
import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from posetools.datasets import PoseSaliency
from tests.datasets.pose_video_helpers import (CLIP_CROPS, CLIP_HEAD, RESIZE_FLIP,
                                               background_colour, drawn_pixels, global_seed,
                                               pose_video_dataset, run_pipeline)

PACK = [dict(type='mmaction.FormatShape', input_format='NCTHW'),
        dict(type='mmaction.PackActionInputs', meta_keys=('img_shape', 'saliency'))]


def cell_share(drawn: np.ndarray, patch: int = 8, tubelet: int = 2) -> np.ndarray:
    """(T', H', W') largest share of drawn pixels of each token cell over a tubelet's frames.

    Args:
        drawn: (t, H, W) drawn pixels.
        patch: Token side in pixels.
        tubelet: Frames per token.
    """
    frames, height, width = drawn.shape
    cells = drawn.reshape(frames // tubelet, tubelet, height // patch, patch, width // patch,
                          patch)
    return cells.mean(axis=(3, 5)).max(axis=1)


def with_neighbours(cells: np.ndarray) -> np.ndarray:
    """(T', H', W') bool: a cell or one of its 8 neighbours is set."""
    padded = np.pad(cells, ((0, 0), (1, 1), (1, 1)))
    rows, cols = cells.shape[1:]
    return np.any([padded[:, i:i + rows, j:j + cols] for i in range(3) for j in range(3)], 0)


@pytest.mark.parametrize('crop', sorted(CLIP_CROPS))
@pytest.mark.parametrize('seed', [0, 1])
def test_saliency_covers_the_drawn_bodies(synth_videos, crop, seed):
    """Tokens at least half drawn are salient, tokens a token away from any drawn pixel are
    not; the same saliency on the wrong tokens (rolled by half the grid both ways) misses the
    bodies and covers the background."""
    dataset = pose_video_dataset(synth_videos)
    both, keypoints_only = PoseSaliency(8), PoseSaliency(8, sources=('keypoint', ))
    body, far, far_keypoints, rolled_body, rolled_far = [], [], [], [], []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        background = background_colour(run_pipeline(CLIP_HEAD, info)['imgs'])
        with global_seed(100 * seed + index):
            results = run_pipeline(CLIP_HEAD + [CLIP_CROPS[crop]] + RESIZE_FLIP, info)
        saliency = both(dict(results))['saliency']
        assert saliency.shape == (4, 8, 8) and saliency.dtype == np.float32
        assert saliency.min() >= 0 and saliency.max() <= 1
        share = cell_share(drawn_pixels(results['imgs'], background))  # (4, 8, 8)
        away = ~with_neighbours(share > 0)
        rolled = np.roll(saliency, (4, 4), axis=(1, 2))
        body.append(saliency[share >= 0.5])
        far.append(saliency[away])
        far_keypoints.append(keypoints_only(dict(results))['saliency'][away])
        rolled_body.append(rolled[share >= 0.5])
        rolled_far.append(rolled[away])
    body, far, far_keypoints, rolled_body, rolled_far = map(
        np.concatenate, (body, far, far_keypoints, rolled_body, rolled_far))
    assert len(body) > 100 and len(far) > 100
    assert np.mean(body >= 0.5) >= 0.95
    assert np.mean(rolled_body >= 0.5) <= 0.7 and rolled_far.mean() >= 0.5
    # boxes also cover the empty corners of a spread-out body; keypoint Gaussians do not
    assert far.mean() <= 0.05 and far_keypoints.max() <= 0.01


def test_saliency_reaches_the_data_sample_and_zero_persons_give_zeros(synth_videos, tmp_path):
    content = mmengine.load(synth_videos['annotations'])
    entries = content['annotations']
    empty = dict(entries[1], keypoint=np.zeros((0, entries[1]['total_frames'], 17, 2)),
                 person_box=np.zeros((0, entries[1]['total_frames'], 4)))
    content['annotations'] = [entries[0], empty] + entries[3:]  # entries[2]: no entry
    mmengine.dump(content, str(tmp_path / 'poses.pkl'))
    dataset = pose_video_dataset(synth_videos, str(tmp_path / 'poses.pkl'))
    names = [dataset.get_data_info(i)['pose']['frame_dir'] for i in range(len(dataset))]
    pipeline = (CLIP_HEAD + [CLIP_CROPS['MultiScaleCrop']] + RESIZE_FLIP +
                [dict(type='PoseSaliency', patch_size=8)])
    for frame_dir in (entries[0]['frame_dir'], entries[1]['frame_dir'], None):
        info = dataset.get_data_info(names.index(frame_dir))
        with global_seed(0):
            results = run_pipeline(pipeline, info)
        with global_seed(0):
            packed = run_pipeline(pipeline + PACK, info)
        sample = packed['data_samples']
        assert tuple(packed['inputs'].shape) == (1, 3, 8, 64, 64)
        assert isinstance(sample.saliency, np.ndarray) and sample.img_shape == (64, 64)
        np.testing.assert_array_equal(sample.saliency, results['saliency'])
        assert 'gt_bboxes' not in results and 'gt_instances' not in sample
        if frame_dir == entries[0]['frame_dir']:
            assert sample.saliency.max() == 1
        else:  # zero persons, or no pose entry
            assert results['keypoint'].shape == (0, 8, 17, 2)
            np.testing.assert_array_equal(sample.saliency, 0)


def brute_force(boxes, keypoint, score, img_shape, patch, tubelet, sigma, box_value, sources):
    """The saliency from its definition, cell by cell: box cover by sampling 200 x 200 points
    per cell, keypoint Gaussians with ``math.exp``."""
    frames = keypoint.shape[1]
    rows, cols = img_shape[0] // patch, img_shape[1] // patch
    offsets = (np.arange(200) + 0.5) / 200 * patch
    result = np.zeros((frames, rows, cols))
    for f in range(frames):
        for i in range(rows):
            for j in range(cols):
                values = [0.0]
                ys, xs = i * patch + offsets[:, None], j * patch + offsets[None, :]
                for x1, y1, x2, y2 in boxes[:, f]:
                    if 'box' in sources:
                        inside = (xs >= x1) & (xs <= x2) & (ys >= y1) & (ys <= y2)
                        values.append(box_value * inside.mean())
                for (x, y), s in zip(keypoint[:, f].reshape(-1, 2), score[:, f].reshape(-1)):
                    if 'keypoint' in sources and s > 0:
                        cx, cy = (j + 0.5) * patch, (i + 0.5) * patch
                        values.append(math.exp(-((cx - x)**2 + (cy - y)**2) / (2 * sigma**2)))
                result[f, i, j] = max(values)
    return result.reshape(frames // tubelet, tubelet, rows, cols).max(axis=1)


@pytest.mark.parametrize('sources', [('box', 'keypoint'), ('box', ), ('keypoint', )])
def test_saliency_matches_a_brute_force_computation(sources):
    boxes = np.array([[[3.3, 5.7, 21.2, 17.9], [9, 0, 30.5, 23], [0, 0, 40, 24], [-5, 2, 7, 9]],
                      [[30, 10, 20, 20], [12, 12, 12, 20], [33, 1, 39.9, 6.5], [24, 8, 32, 16]]],
                     np.float32)  # (M=2, t=4, 4); an empty and a zero-width box
    rng = np.random.default_rng(0)
    keypoint = rng.uniform([-4, -4], [44, 28], (2, 4, 3, 2)).astype(np.float32)
    score = rng.uniform(0, 1, (2, 4, 3)).astype(np.float32)
    score[0, 1, 0] = score[1, :, 2] = 0  # left out
    arguments = dict(patch=8, tubelet=2, sigma=5.0, box_value=0.7)
    transform = PoseSaliency(8, 2, sources=sources, sigma=5.0, box_value=0.7)
    saliency = transform(dict(img_shape=(24, 40), keypoint=keypoint, keypoint_score=score,
                              gt_bboxes=boxes))['saliency']
    expected = brute_force(boxes, keypoint, score, (24, 40), sources=sources, **arguments)
    assert saliency.shape == (2, 3, 5)
    np.testing.assert_allclose(saliency, expected, atol=0.011)
    if sources == ('box', ):
        assert saliency[:, 0, 0].tolist() == pytest.approx([0.7 * 4.7 * 2.3 / 64, 0.7])


def test_bad_shapes_and_arguments():
    clip = dict(filename='clip.mp4', img_shape=(64, 60), keypoint=np.zeros((1, 8, 17, 2)),
                keypoint_score=np.ones((1, 8, 17)), gt_bboxes=np.zeros((1, 8, 4)))
    with pytest.raises(ValueError, match=re.escape('clip.mp4') + '.*8 frames of .64, 60.'):
        PoseSaliency(8)(dict(clip))
    PoseSaliency(4)(dict(clip))
    with pytest.raises(ValueError, match='clip.mp4.*tubelet_size=3'):
        PoseSaliency(4, tubelet_size=3)(dict(clip))
    for bad in (dict(sources=('heatmap', )), dict(sources=()), dict(patch_size=0),
                dict(box_value=1.5), dict(sigma=0)):
        with pytest.raises(ValueError, match='sources|PoseSaliency needs'):
            PoseSaliency(**dict(dict(patch_size=8), **bad))
    assert repr(PoseSaliency(16)) == (
        "PoseSaliency(patch_size=16, tubelet_size=2, sources=('box', 'keypoint'), "
        'sigma=8.0, box_value=1.0)')
