"""posetools' GeneratePoseTarget gives mmaction2's heatmap volumes (PoseConv3D inputs)."""
import copy

import numpy as np
import pytest
from mmaction.datasets.transforms import GeneratePoseTarget as MMActionGeneratePoseTarget

from posetools.datasets.transforms import GeneratePoseTarget
from posetools.registry import TRANSFORMS
from posetools.structures.skeletons import COCO17_LEFT_LIMBS, COCO17_LIMBS
from tests.helpers import COCO_FLIP, EPS, heatmap_case, random_coco_sample

# as in mmaction2's PoseC3D configs (the limb lists and skeletons are the defaults)


@pytest.mark.parametrize('seed', range(48))
def test_equals_mmaction(seed):
    rng = np.random.default_rng(seed)
    kwargs = heatmap_case(seed)
    persons = [1, 2, 3][seed % 3 if seed % 2 else 0]
    img_shape = [(56, 56), (64, 48)][seed // 2 % 2]
    results = random_coco_sample(rng, persons, int(rng.integers(4, 9)), img_shape)
    if seed % 11 == 5:  # no scores: every keypoint with peak 1
        del results['keypoint_score']
    if seed % 13 == 7:  # all scores below the threshold: an all-zero volume
        results['keypoint_score'][:] = EPS / 2

    theirs = MMActionGeneratePoseTarget(**kwargs)(copy.deepcopy(results))
    ours = GeneratePoseTarget(**kwargs)(copy.deepcopy(results))
    assert 'heatmap_imgs' not in ours
    assert ours['imgs'].shape == theirs['imgs'].shape
    assert ours['imgs'].dtype == theirs['imgs'].dtype == np.float32
    assert np.abs(ours['imgs'] - theirs['imgs']).max() <= 1e-5
    np.testing.assert_array_equal(ours['keypoint'], results['keypoint'])  # input untouched


def test_layout_and_flip():
    """T x C x H x W; double appends the mirrored clip with left and right swapped."""
    keypoint = np.zeros((1, 2, 17, 2), np.float32)
    keypoint[0, :, :, 0], keypoint[0, :, :, 1] = 10, 20
    keypoint[0, 1, 1] = (5, 8)  # frame 1, left eye
    results = dict(keypoint=keypoint, keypoint_score=np.ones((1, 2, 17), np.float32),
                   img_shape=(32, 40))
    heatmap = GeneratePoseTarget(double=True, **COCO_FLIP)(results)['imgs']
    assert heatmap.shape == (4, 17, 32, 40)
    assert heatmap[1, 1, 8, 5] == 1 and heatmap[1, 1, 20, 10] == 0
    assert heatmap[3, 2, 8, 40 - 1 - 5] == 1  # flipped: a right eye, mirrored
    np.testing.assert_array_equal(heatmap[2:], heatmap[:2, [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12,
                                                            11, 14, 13, 16, 15], :, ::-1])


def test_imgs_present_goes_to_heatmap_imgs():
    rng = np.random.default_rng(0)
    results = random_coco_sample(rng, 2, 3, (24, 24))
    results['imgs'] = 'rgb frames'
    out = GeneratePoseTarget(with_limb=True)(results)
    assert out['imgs'] == 'rgb frames' and out['heatmap_imgs'].shape == (3, 34, 24, 24)
    assert not out['heatmap_imgs'][:, 17:].any()  # mmaction2 draws limbs on channels 0..16


def test_repr_and_registry():
    transform = TRANSFORMS.build(
        dict(type='GeneratePoseTarget', sigma=0.7, with_kp=False, with_limb=True, double=True,
             scaling=0.5))
    assert isinstance(transform, GeneratePoseTarget)
    text = repr(transform)
    assert text.startswith('GeneratePoseTarget(sigma=0.7, use_score=True, with_kp=False, '
                           f'with_limb=True, skeletons={COCO17_LIMBS}, ')
    assert 'double=True' in text and f'left_limb={COCO17_LEFT_LIMBS}' in text
    assert text.endswith('scaling=0.5)')


def test_bad_input():
    keypoint = np.zeros((1, 4, 17, 2), np.float32)
    with pytest.raises(ValueError, match='At least one of'):
        GeneratePoseTarget(with_kp=False, with_limb=False)
    with pytest.raises(KeyError, match=r"results\['img_shape'\]"):
        GeneratePoseTarget()(dict(keypoint=keypoint))
    with pytest.raises(KeyError, match=r"results\['keypoint'\]"):
        GeneratePoseTarget()(dict(img_shape=(8, 8)))
    with pytest.raises(ValueError, match=r'keypoint of shape \(M, T, V, 2\), got \(4, 17, 2\)'):
        GeneratePoseTarget()(dict(keypoint=keypoint[0], img_shape=(8, 8)))
    with pytest.raises(ValueError, match=r'keypoint of shape \(M, T, V, 2\), got \(1, 4, 17, 3\)'):
        GeneratePoseTarget()(dict(keypoint=np.zeros((1, 4, 17, 3)), img_shape=(8, 8)))
    with pytest.raises(ValueError, match=r'keypoint_score has shape \(1, 4\), expected'):
        GeneratePoseTarget()(dict(keypoint=keypoint, keypoint_score=np.ones((1, 4)),
                                  img_shape=(8, 8)))
    with pytest.raises(ValueError, match='skeletons use keypoints 0..16 but keypoint has 5'):
        GeneratePoseTarget(with_limb=True)(dict(keypoint=keypoint[:, :, :5], img_shape=(8, 8)))
