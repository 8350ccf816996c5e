"""The SynthAction skeletons: NTU RGB+D joints, COCO-17 keypoints, kinematics.

Defines the 25-joint NTU RGB+D (Kinect v2) skeleton the generator animates
(joint names, rest-pose bone vectors, named joint indices; its parents and
sides come from :mod:`posetools.structures.skeletons`), how the COCO-17
keypoints hang off it, and the forward kinematics that turn local joint
rotations into joint positions.

World frame: right-handed, metres, ``y`` up with the floor at ``y = 0``; at
body yaw 0 a person faces ``+z`` and their left is ``+x``.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

from posetools.structures.skeletons import NTU25_PARENTS

NTU_JOINT_NAMES: Tuple[str, ...] = (
    'SpineBase', 'SpineMid', 'Neck', 'Head', 'ShoulderLeft', 'ElbowLeft',
    'WristLeft', 'HandLeft', 'ShoulderRight', 'ElbowRight', 'WristRight',
    'HandRight', 'HipLeft', 'KneeLeft', 'AnkleLeft', 'FootLeft', 'HipRight',
    'KneeRight', 'AnkleRight', 'FootRight', 'SpineShoulder', 'HandTipLeft',
    'ThumbLeft', 'HandTipRight', 'ThumbRight')
"""The 25 NTU RGB+D / Kinect v2 joints in dataset order ("Left" is the
person's own left)."""

NTU_REST_OFFSETS = np.array([
    [0.0, 0.0, 0.0],        # 0 SpineBase (root, placed by the generator)
    [0.0, 0.28, 0.0],       # 1 SpineMid
    [0.0, 0.08, 0.0],       # 2 Neck
    [0.0, 0.14, 0.01],      # 3 Head
    [0.18, -0.03, -0.01],   # 4 ShoulderLeft
    [0.0, -0.28, 0.0],      # 5 ElbowLeft
    [0.0, -0.25, 0.0],      # 6 WristLeft
    [0.0, -0.07, 0.0],      # 7 HandLeft
    [-0.18, -0.03, -0.01],  # 8 ShoulderRight
    [0.0, -0.28, 0.0],      # 9 ElbowRight
    [0.0, -0.25, 0.0],      # 10 WristRight
    [0.0, -0.07, 0.0],      # 11 HandRight
    [0.09, -0.05, 0.0],     # 12 HipLeft
    [0.0, -0.42, 0.0],      # 13 KneeLeft
    [0.0, -0.40, 0.0],      # 14 AnkleLeft
    [0.0, -0.05, 0.12],     # 15 FootLeft
    [-0.09, -0.05, 0.0],    # 16 HipRight
    [0.0, -0.42, 0.0],      # 17 KneeRight
    [0.0, -0.40, 0.0],      # 18 AnkleRight
    [0.0, -0.05, 0.12],     # 19 FootRight
    [0.0, 0.22, 0.0],       # 20 SpineShoulder
    [0.0, -0.08, 0.0],      # 21 HandTipLeft
    [-0.01, -0.05, 0.04],   # 22 ThumbLeft
    [0.0, -0.08, 0.0],      # 23 HandTipRight
    [0.01, -0.05, 0.04],    # 24 ThumbRight
])
"""Rest-pose bone vectors, shape (25, 3): offset of each joint from its
parent in the parent's frame (metres, body of scale 1.0, about 1.7 m tall,
standing, arms hanging, facing ``+z`` with the left side at ``+x``)."""

COCO_KEYPOINT_NAMES: Tuple[str, ...] = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
"""The 17 COCO keypoints in order."""

COCO_FROM_NTU: Tuple[int, ...] = (
    3, 3, 3, 3, 3, 4, 8, 5, 9, 6, 10, 12, 16, 13, 17, 14, 18)
"""NTU joint each COCO keypoint is attached to. Body keypoints coincide with
their NTU joint; the face keypoints (0-4) are the Head joint plus the
offsets of :data:`COCO_OFFSETS`, expressed in the head's own frame (so the
face turns and nods with the head)."""

COCO_OFFSETS = np.concatenate([
    [[0.0, -0.03, 0.10],       # nose
     [0.032, 0.0, 0.085],      # left eye
     [-0.032, 0.0, 0.085],     # right eye
     [0.075, -0.01, 0.0],      # left ear
     [-0.075, -0.01, 0.0]],    # right ear
    np.zeros((12, 3)),         # body keypoints sit on their NTU joint
])
"""Offsets of the COCO keypoints from their :data:`COCO_FROM_NTU` joint in
that joint's frame, shape (17, 3), metres at body scale 1.0."""
NTU_REST_OFFSETS.flags.writeable = False
COCO_OFFSETS.flags.writeable = False

# Indices of named NTU joints (see NTU_JOINT_NAMES; L/R: the person's own
# left/right), used by the motions, the bodies and the annotations.
L_SHOULDER, L_ELBOW, L_WRIST = 4, 5, 6
R_SHOULDER, R_ELBOW, R_WRIST = 8, 9, 10
L_HIP, L_KNEE, L_ANKLE = 12, 13, 14
R_HIP, R_KNEE, R_ANKLE = 16, 17, 18
ROOT, SPINE_MID, NECK, HEAD, SPINE_SHOULDER = 0, 1, 2, 3, 20

FEET = (15, 19)
"""The foot joints; the lower one stands on the floor."""

ANKLES = (14, 18)
"""The ankle joints."""

EXTREMITIES = (7, 11, 15, 19, 21, 22, 23, 24)
"""Joints at the ends of the limbs (hands, feet, hand tips, thumbs): their
3D annotation noise is doubled."""


def topological_order(parents: Sequence[int]) -> Tuple[int, ...]:
    """Joint order in which every parent precedes its children."""
    order: List[int] = []
    pending = list(range(len(parents)))
    while pending:
        for j in list(pending):
            if parents[j] < 0 or parents[j] in order:
                order.append(j)
                pending.remove(j)
    return tuple(order)


_FK_ORDER = topological_order(NTU25_PARENTS)


def euler_to_matrix(angles: np.ndarray) -> np.ndarray:
    """Rotation matrices ``Rz @ Ry @ Rx`` from Euler angles.

    Args:
        angles: (..., 3) rotation angles in radians about the local ``x``
            (left), ``y`` (up) and ``z`` (forward) axes.

    Returns:
        (..., 3, 3) rotation matrices.
    """
    cx, cy, cz = np.cos(angles[..., 0]), np.cos(angles[..., 1]), np.cos(
        angles[..., 2])
    sx, sy, sz = np.sin(angles[..., 0]), np.sin(angles[..., 1]), np.sin(
        angles[..., 2])
    rot = np.empty(angles.shape[:-1] + (3, 3))
    rot[..., 0, 0] = cz * cy
    rot[..., 0, 1] = cz * sy * sx - sz * cx
    rot[..., 0, 2] = cz * sy * cx + sz * sx
    rot[..., 1, 0] = sz * cy
    rot[..., 1, 1] = sz * sy * sx + cz * cx
    rot[..., 1, 2] = sz * sy * cx - cz * sx
    rot[..., 2, 0] = -sy
    rot[..., 2, 1] = cy * sx
    rot[..., 2, 2] = cy * cx
    return rot


def forward_kinematics(local_rot: np.ndarray, root_pos: np.ndarray,
                       offsets: np.ndarray,
                       parents: Sequence[int] = NTU25_PARENTS
                       ) -> Tuple[np.ndarray, np.ndarray]:
    """Joint positions and global rotations of a kinematic tree.

    The global rotation of joint ``j`` is ``G_j = G_parent(j) @ R_j`` and its
    position ``p_j = p_parent(j) + G_parent(j) @ offsets[j]``; the root uses
    ``G_0 = R_0`` and ``p_0 = root_pos``.

    Args:
        local_rot: (N, J, 3, 3) local joint rotations (root: global).
        root_pos: (N, 3) root positions.
        offsets: (J, 3) bone vectors in the parent frame.
        parents: parent index per joint, ``-1`` for the root.

    Returns:
        Tuple ``(positions, global_rot)`` of shapes (N, J, 3), (N, J, 3, 3).
    """
    num, num_joints = local_rot.shape[:2]
    pos = np.zeros((num, num_joints, 3))
    glob = np.zeros((num, num_joints, 3, 3))
    for j in _FK_ORDER if parents is NTU25_PARENTS else topological_order(
            parents):
        p = parents[j]
        if p < 0:
            glob[:, j] = local_rot[:, j]
            pos[:, j] = root_pos
        else:
            glob[:, j] = glob[:, p] @ local_rot[:, j]
            pos[:, j] = pos[:, p] + glob[:, p] @ offsets[j]
    return pos, glob


def rot_y(angle: float) -> np.ndarray:
    """(3, 3) rotation about the vertical axis by ``angle`` radians."""
    return euler_to_matrix(np.array([0.0, angle, 0.0]))
