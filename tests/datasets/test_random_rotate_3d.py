"""RandomRotate3D rotates rigidly, within range, reproducibly from NumPy's global stream."""
import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from posetools.datasets.transforms import RandomRotate3D
from posetools.datasets.transforms.random_rotate_3d import euler_rotation


def test_euler_rotation_matches_scipy():
    angles = np.array([0.2, -0.4, 1.1])
    expected = Rotation.from_euler('xyz', angles).as_matrix()  # extrinsic: Rz Ry Rx
    np.testing.assert_allclose(euler_rotation(angles), expected, atol=1e-12)


def test_rotation_is_rigid_bounded_and_keeps_zeros():
    rng = np.random.default_rng(0)
    keypoint = rng.normal(size=(2, 10, 25, 3)).astype(np.float32)
    keypoint[1, 3:] = 0
    out = RandomRotate3D(max_angle=0.3)(dict(keypoint=keypoint.copy()))['keypoint']
    assert out.dtype == np.float32 and out.shape == keypoint.shape
    assert np.all(out[1, 3:] == 0)
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), np.linalg.norm(keypoint, axis=-1),
                               rtol=1e-5, atol=1e-6)
    rotation, *_ = np.linalg.lstsq(keypoint.reshape(-1, 3), out.reshape(-1, 3), rcond=None)
    angles = Rotation.from_matrix(rotation.T).as_euler('xyz')
    assert np.all(np.abs(angles) <= 0.3 + 1e-4) and np.any(np.abs(angles) > 1e-3)


def test_reproducible_from_global_state_and_varies_between_calls():
    keypoint = np.random.default_rng(1).normal(size=(1, 4, 25, 3))
    transform = RandomRotate3D()
    state = np.random.get_state()
    first = transform(dict(keypoint=keypoint.copy()))['keypoint']
    second = transform(dict(keypoint=keypoint.copy()))['keypoint']
    np.random.set_state(state)
    replay = transform(dict(keypoint=keypoint.copy()))['keypoint']
    np.testing.assert_array_equal(first, replay)
    assert not np.allclose(first, second)


def test_zero_angle_is_identity_and_bad_input():
    keypoint = np.random.default_rng(2).normal(size=(1, 4, 25, 3))
    np.testing.assert_allclose(RandomRotate3D(0)(dict(keypoint=keypoint.copy()))['keypoint'],
                               keypoint)
    with pytest.raises(ValueError, match='needs 3D joints'):
        RandomRotate3D()(dict(keypoint=np.zeros((1, 4, 17, 2))))
    with pytest.raises(ValueError, match='max_angle must be >= 0'):
        RandomRotate3D(-1)
    assert repr(RandomRotate3D(0.2)) == 'RandomRotate3D(max_angle=0.2)'
