"""Random 3D rotation of skeletons, the standard augmentation for NTU-style 3D joints."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from posetools.registry import TRANSFORMS


def euler_rotation(angles: np.ndarray) -> np.ndarray:
    """Rotation matrix ``Rz @ Ry @ Rx`` for angles (x, y, z) in radians: (3, 3)."""
    (cos_x, cos_y, cos_z), (sin_x, sin_y, sin_z) = np.cos(angles), np.sin(angles)
    rot_x = np.array([[1, 0, 0], [0, cos_x, -sin_x], [0, sin_x, cos_x]])
    rot_y = np.array([[cos_y, 0, sin_y], [0, 1, 0], [-sin_y, 0, cos_y]])
    rot_z = np.array([[cos_z, -sin_z, 0], [sin_z, cos_z, 0], [0, 0, 1]])
    return rot_z @ rot_y @ rot_x


@TRANSFORMS.register_module()
class RandomRotate3D(BaseTransform):
    """Rotate all 3D joints of a clip by one random rotation about the origin.

    Angles about x, y and z are drawn uniformly from ``[-max_angle, max_angle]``
    (as pyskl's ``RandomRot``). Zero joints (missing or padded) stay zero. Use it
    after ``PreNormalize3D`` so that the rotation is about the body centre. The
    generator is seeded from NumPy's global stream, which mmengine seeds per worker,
    so runs stay reproducible and the global generator is never reseeded.

    Required Keys:

        - keypoint (M x T x V x 3)

    Modified Keys:

        - keypoint

    Args:
        max_angle (float): Largest rotation about each axis, in radians. Defaults to 0.3.
    """

    def __init__(self, max_angle: float = 0.3) -> None:
        if max_angle < 0:
            raise ValueError(f'max_angle must be >= 0, got {max_angle}')
        self.max_angle = max_angle

    def transform(self, results: Dict) -> Dict:
        """Rotate ``results['keypoint']``."""
        keypoint = results['keypoint']
        if keypoint.shape[-1] != 3:
            raise ValueError(f'RandomRotate3D needs 3D joints, got keypoint of shape '
                             f'{keypoint.shape}')
        rng = np.random.default_rng(np.random.randint(2**31))
        rotation = euler_rotation(rng.uniform(-self.max_angle, self.max_angle, 3))
        results['keypoint'] = (keypoint @ rotation.T).astype(keypoint.dtype)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(max_angle={self.max_angle})'
