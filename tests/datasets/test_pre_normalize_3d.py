"""posetools' PreNormalize3D gives mmaction2's arrays bit for bit."""
import copy

import numpy as np
import pytest
from mmaction.datasets.transforms import PreNormalize3D as MMActionPreNormalize3D

from posetools.datasets.transforms import PreNormalize3D
from posetools.registry import TRANSFORMS


def random_skeleton(rng: np.random.Generator, persons: int, frames: int) -> np.ndarray:
    """(M, T, 25, 3) skeletons with random empty frames, like NTU's raw conversion."""
    skeleton = rng.normal(size=(persons, frames, 25, 3)).astype(np.float32)
    for person in range(persons):
        empty = rng.random(frames) < rng.uniform(0, 0.5)
        skeleton[person, empty] = 0
    if rng.random() < 0.3:  # a missing joint here and there
        skeleton[0, rng.integers(frames), rng.integers(25)] = 0
    return skeleton


@pytest.mark.parametrize('seed', range(40))
def test_equals_mmaction(seed):
    rng = np.random.default_rng(seed)
    persons, frames = int(rng.integers(1, 3)), int(rng.integers(5, 60))
    skeleton = random_skeleton(rng, persons, frames)
    if not np.isclose(skeleton[0], 0).all(axis=(1, 2)).any() and seed % 5 == 0:
        skeleton[0, 0] = 0  # make sure the first frame is sometimes dropped
    kwargs = dict(align_spine=bool(seed % 3), align_shoulder=bool(seed % 4))
    results = dict(keypoint=skeleton, total_frames=frames)
    ours = PreNormalize3D(**kwargs)(copy.deepcopy(results))
    theirs = MMActionPreNormalize3D(**kwargs)(copy.deepcopy(results))
    assert ours['total_frames'] == theirs['total_frames']
    assert np.array_equal(ours['keypoint'], theirs['keypoint'])
    assert np.array_equal(ours['body_center'], theirs['body_center'])


def test_person_in_more_frames_becomes_first():
    rng = np.random.default_rng(0)
    skeleton = random_skeleton(rng, 2, 20)
    skeleton[0, 5:] = 0
    skeleton[1] = rng.normal(size=(20, 25, 3))
    out = PreNormalize3D(align_spine=False, align_shoulder=False)(
        dict(keypoint=skeleton, total_frames=20))
    assert out['total_frames'] == 20
    np.testing.assert_allclose(out['keypoint'][0, 0, 1], 0)  # centred on the new person 0


def test_all_zero_input_is_returned_unchanged():
    skeleton = np.zeros((1, 10, 25, 3), np.float32)
    out = PreNormalize3D()(dict(keypoint=skeleton, total_frames=10))
    assert out['keypoint'] is skeleton and 'body_center' not in out


def test_bad_input():
    with pytest.raises(ValueError, match='total_frames=9 but keypoint has 10 frames'):
        PreNormalize3D()(dict(keypoint=np.ones((1, 10, 25, 3)), total_frames=9))
    with pytest.raises(ValueError, match='1 or 2 persons, got 3'):
        PreNormalize3D()(dict(keypoint=np.ones((3, 10, 25, 3)), total_frames=10))


def test_registered_and_repr():
    transform = TRANSFORMS.build(dict(type='PreNormalize3D', xaxis=[8, 4]))
    assert isinstance(transform, PreNormalize3D)
    assert 'xaxis=[8, 4]' in repr(transform)
