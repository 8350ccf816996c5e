"""SynthAction: a small, seeded, embedded skeleton action dataset.

The generator animates an articulated 25-joint NTU RGB+D (Kinect v2) skeleton
with forward kinematics. Every action class is a parameterised joint-angle
trajectory (Euler angles per joint, root translation, whole-body yaw); each
sample randomises speed, phase, amplitude, the timing of the action inside
the clip, left/right mirroring, the performer's body size and proportions,
idle sway, the camera (yaw, pitch, distance, focal length) and an optional
second person standing beside the actor (doing the same action or idling).
The label always comes from person 0.

One generation yields a list of :class:`SynthSample` (clean 3D motion in a
world frame plus a pinhole :class:`SynthCamera`), from which

1. :meth:`SynthActionGenerator.to_ntu3d_annotation` builds an NTU-style 3D
   annotation (Kinect-like camera coordinates in metres, with sensor noise);
2. :meth:`SynthActionGenerator.to_coco2d_annotation` builds a COCO-17 2D
   annotation (camera projection in pixels, detector-like noise and scores).

Both follow the mmaction2 ``PoseDataset`` pickle format and share the NTU
``xsub`` style split (performer ids 1..40, the NTU cross-subject training
list). The RGB video renderer (issue 4) will consume :class:`SynthSample`
together with :meth:`SynthCamera.project`, so rendered frames, boxes and
keypoints stay consistent with the pickles.

Coordinate frames:

* world: right-handed, metres, ``y`` up with the floor at ``y = 0``; at
  body yaw 0 a person faces ``+z`` and their left is ``+x``.
* camera (Kinect-like, as stored in the 3D pickle): ``x`` to the image
  right, ``y`` up, ``z`` depth away from the camera (about 2-4.5 m).
* image: pixels, ``u`` to the right, ``v`` down, shape ``(h, w)``.
"""
from __future__ import annotations

import os
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import mmengine
import numpy as np
from tqdm import tqdm

__all__ = [
    'COCO_FROM_NTU', 'COCO_KEYPOINT_NAMES', 'COCO_OFFSETS', 'FPS',
    'NTU_JOINT_NAMES', 'NTU_MIRROR', 'NTU_PARENTS', 'NTU_REST_OFFSETS',
    'NTU_XSUB_TRAIN_PERFORMERS', 'NUM_PERFORMERS', 'SYNTH_CLASSES',
    'SynthActionGenerator', 'SynthCamera', 'SynthSample', 'euler_to_matrix',
    'forward_kinematics', 'write_dataset'
]

FPS = 30
"""Frame rate the motions are designed for (frames per second)."""

NTU_JOINT_NAMES: Tuple[str, ...] = (
    'SpineBase', 'SpineMid', 'Neck', 'Head', 'ShoulderLeft', 'ElbowLeft',
    'WristLeft', 'HandLeft', 'ShoulderRight', 'ElbowRight', 'WristRight',
    'HandRight', 'HipLeft', 'KneeLeft', 'AnkleLeft', 'FootLeft', 'HipRight',
    'KneeRight', 'AnkleRight', 'FootRight', 'SpineShoulder', 'HandTipLeft',
    'ThumbLeft', 'HandTipRight', 'ThumbRight')
"""The 25 NTU RGB+D / Kinect v2 joints in dataset order ("Left" is the
person's own left)."""

NTU_PARENTS: Tuple[int, ...] = (
    -1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16, 17, 18, 1,
    7, 6, 11, 10)
"""Kinematic parent of every NTU joint (``-1`` for the root SpineBase).

This is the Kinect v2 body hierarchy used for forward kinematics: hand tips
hang off the hands and thumbs off the wrists. (The ST-GCN ``nturgb+d`` graph
in mmaction2 links HandTip-Thumb instead; both describe the same skeleton.)
"""

NTU_MIRROR: Tuple[int, ...] = (
    0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 16, 17, 18, 19, 12, 13, 14, 15, 20,
    23, 24, 21, 22)
"""Left/right joint permutation of the NTU skeleton (an involution)."""

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

NTU_XSUB_TRAIN_PERFORMERS: Tuple[int, ...] = (
    1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38)
"""NTU RGB+D cross-subject training performers; 21..40 others are val."""

NUM_PERFORMERS = 40
"""Number of synthetic performers (ids ``1..40``, like NTU RGB+D 60)."""

SYNTH_CLASSES: Tuple[str, ...] = (
    'wave', 'punch', 'clap', 'arms_up', 'squat', 'jump', 'bow', 'kick',
    'turn', 'throw', 'march', 'side_bend')
"""All defined action classes; a dataset with ``num_classes=k`` uses the
first ``k``. Confusable groups: one-arm actions (wave, punch, throw),
vertical trunk motion (squat, jump, bow), leg motion (kick, march, turn),
arms raised (arms_up, jump, side_bend)."""

_L_SHOULDER, _L_ELBOW, _L_WRIST = 4, 5, 6
_R_SHOULDER, _R_ELBOW, _R_WRIST = 8, 9, 10
_L_HIP, _L_KNEE, _L_ANKLE = 12, 13, 14
_R_HIP, _R_KNEE, _R_ANKLE = 16, 17, 18
_ROOT, _SPINE_MID, _NECK, _HEAD, _SPINE_SHOULDER = 0, 1, 2, 3, 20
_FEET = (15, 19)
_ANKLES = (14, 18)
_EXTREMITIES = (7, 11, 15, 19, 21, 22, 23, 24)
_FOOT_CLEARANCE = 0.04
_SEGMENTS = {
    'trunk': (1, 2, 20),
    'head': (3, ),
    'arms': (4, 5, 6, 7, 8, 9, 10, 11, 21, 22, 23, 24),
    'legs': (12, 13, 14, 15, 16, 17, 18, 19),
}


def _topological_order(parents: Sequence[int]) -> Tuple[int, ...]:
    """Joint order in which every parent precedes its children."""
    order: List[int] = []
    pending = list(range(len(parents)))
    while pending:
        for j in list(pending):
            if parents[j] < 0 or parents[j] in order:
                order.append(j)
                pending.remove(j)
    return tuple(order)


_FK_ORDER = _topological_order(NTU_PARENTS)


# ----------------------------------------------------------------------------
# Geometry helpers
# ----------------------------------------------------------------------------
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
                       parents: Sequence[int] = NTU_PARENTS
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
    for j in _FK_ORDER if parents is NTU_PARENTS else _topological_order(
            parents):
        p = parents[j]
        if p < 0:
            glob[:, j] = local_rot[:, j]
            pos[:, j] = root_pos
        else:
            glob[:, j] = glob[:, p] @ local_rot[:, j]
            pos[:, j] = pos[:, p] + glob[:, p] @ offsets[j]
    return pos, glob


def _rot_y(angle: float) -> np.ndarray:
    """(3, 3) rotation about the vertical axis by ``angle`` radians."""
    return euler_to_matrix(np.array([0.0, angle, 0.0]))


@dataclass
class SynthCamera:
    """A pinhole camera looking at the actors.

    Attributes:
        rotation: (3, 3) world-to-camera matrix whose rows are the camera's
            right, up and viewing directions in world coordinates (an
            improper rotation, det -1, because the Kinect-like camera frame
            with ``x`` right, ``y`` up, ``z`` forward is left-handed).
        position: (3,) camera centre in world coordinates (metres).
        focal: focal length in pixels (square pixels).
        center: principal point ``(cx, cy)`` in pixels.
        img_shape: image size ``(h, w)`` in pixels.
        yaw: azimuth of the camera around the actors in degrees (0: in front
            of person 0, positive: towards person 0's left).
        pitch: downward tilt in degrees (positive: camera above the target,
            looking down).
        distance: distance from the camera to the look-at target (metres).
    """

    rotation: np.ndarray
    position: np.ndarray
    focal: float
    center: Tuple[float, float]
    img_shape: Tuple[int, int]
    yaw: float
    pitch: float
    distance: float

    @classmethod
    def look_at(cls, target: np.ndarray, yaw: float, pitch: float,
                distance: float, focal: float,
                img_shape: Tuple[int, int]) -> 'SynthCamera':
        """Build a camera orbiting ``target``.

        Args:
            target: (3,) world point on the optical axis.
            yaw: azimuth in degrees (see class attributes).
            pitch: downward tilt in degrees.
            distance: camera-target distance in metres.
            focal: focal length in pixels.
            img_shape: ``(h, w)`` in pixels.

        Returns:
            The camera, with the principal point at the image centre.
        """
        yaw_r, pitch_r = np.deg2rad(yaw), np.deg2rad(pitch)
        forward = np.array([
            -np.sin(yaw_r) * np.cos(pitch_r), -np.sin(pitch_r),
            -np.cos(yaw_r) * np.cos(pitch_r)
        ])
        up_world = np.array([0.0, 1.0, 0.0])
        right = np.cross(forward, up_world)
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        h, w = img_shape
        return cls(
            rotation=np.stack([right, up, forward]),
            position=np.asarray(target, float) - distance * forward,
            focal=float(focal),
            center=((w - 1) / 2.0, (h - 1) / 2.0),
            img_shape=(int(h), int(w)),
            yaw=float(yaw),
            pitch=float(pitch),
            distance=float(distance))

    def world_to_camera(self, points: np.ndarray) -> np.ndarray:
        """Map world points to Kinect-like camera coordinates.

        Args:
            points: (..., 3) world coordinates in metres.

        Returns:
            (..., 3) camera coordinates (``x`` right, ``y`` up, ``z`` depth).
        """
        return (points - self.position) @ self.rotation.T

    def project(self, points_cam: np.ndarray) -> np.ndarray:
        """Pinhole projection of camera-frame points to pixels.

        Args:
            points_cam: (..., 3) camera coordinates with ``z > 0``.

        Returns:
            (..., 2) pixel coordinates ``(u, v)`` (``v`` pointing down).
        """
        z = points_cam[..., 2]
        u = self.center[0] + self.focal * points_cam[..., 0] / z
        v = self.center[1] - self.focal * points_cam[..., 1] / z
        return np.stack([u, v], axis=-1)

    def project_world(self, points: np.ndarray) -> np.ndarray:
        """Project world points to pixels, shape (..., 3) -> (..., 2)."""
        return self.project(self.world_to_camera(points))


@dataclass
class SynthSample:
    """One generated clip: clean world-frame motion plus its camera.

    Attributes:
        frame_dir: unique NTU-style name ``SsssCcccPpppRrrrAaaa``.
        label: action label of person 0 (index into :data:`SYNTH_CLASSES`).
        performer: performer id of person 0 (1..40).
        camera_id: camera bucket 1..3 from the yaw (left, front, right).
        replication: replication counter among samples sharing setup,
            camera, performer and action.
        joints3d: (M, T, 25, 3) clean NTU joints in world metres.
        coco3d: (M, T, 17, 3) clean 3D COCO keypoints in world metres.
        camera: the camera recording the clip.
        mirrored: whether the motion was left/right mirrored.
        partner: ``'none'``, ``'same'`` (second person does the same
            action) or ``'idle'`` (second person stands idle).
        noise_seed: seed of the sensor/detector noise added by the
            annotation converters.
    """

    frame_dir: str
    label: int
    performer: int
    camera_id: int
    replication: int
    joints3d: np.ndarray
    coco3d: np.ndarray
    camera: SynthCamera
    mirrored: bool
    partner: str
    noise_seed: int

    @property
    def total_frames(self) -> int:
        """Number of frames ``T``."""
        return self.joints3d.shape[1]

    @property
    def num_persons(self) -> int:
        """Number of persons ``M``."""
        return self.joints3d.shape[0]


# ----------------------------------------------------------------------------
# Action trajectories
# ----------------------------------------------------------------------------
class _Motion:
    """Per-frame joint angles and root motion of one person.

    Attributes:
        angles: (T, 25, 3) local Euler angles in degrees; channels rotate
            about the left (``x``), up (``y``) and forward (``z``) axes.
            Sign conventions at rest: negative ``x`` swings a limb forward
            (shoulder/hip flexion, elbow flexion), positive ``x`` bends the
            knee or the trunk forward, positive ``z`` raises the left arm
            sideways (negative for the right arm), positive ``y`` turns the
            body to its left.
        lift: (T, ) vertical lift above the grounded pose (metres).
        anchor_feet: keep the mean ankle position fixed horizontally (the
            hips then move back when squatting or bowing).
    """

    def __init__(self, num_frames: int) -> None:
        self.angles = np.zeros((num_frames, 25, 3))
        self.lift = np.zeros(num_frames)
        self.anchor_feet = False

    def rotate(self, joint: int, rx: np.ndarray | float = 0.0,
               ry: np.ndarray | float = 0.0,
               rz: np.ndarray | float = 0.0) -> None:
        """Add Euler angles (degrees, scalars or (T,) arrays) to a joint."""
        self.angles[:, joint, 0] += rx
        self.angles[:, joint, 1] += ry
        self.angles[:, joint, 2] += rz

    def mirror(self) -> None:
        """Reflect the motion left/right (``x -> -x``)."""
        flip = np.array([1.0, -1.0, -1.0])
        self.angles = self.angles[:, list(NTU_MIRROR)] * flip


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """Cubic ease ``3x^2 - 2x^3`` of ``x`` clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _envelope(u: np.ndarray, ramp: float = 0.15) -> np.ndarray:
    """Fade in/out over the first/last ``ramp`` of the action progress."""
    return _smoothstep(u / ramp) * _smoothstep((1.0 - u) / ramp)


def _pulses(u: np.ndarray, reps: int, hold: float = 0.0) -> np.ndarray:
    """``reps`` smooth 0 -> 1 -> 0 pulses over ``u`` in [0, 1].

    Args:
        u: (T, ) action progress.
        reps: number of repetitions.
        hold: > 0 flattens the top of each pulse (holding the pose).

    Returns:
        (T, ) profile in [0, 1], zero at ``u = 0`` and ``u = 1``.
    """
    base = np.sin(np.pi * reps * u)**2
    return _smoothstep(base * (1.0 + hold)) if hold > 0 else base


def _gauss(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Unnormalised Gaussian bump."""
    return np.exp(-0.5 * ((x - mu) / sigma)**2)


MotionFn = Callable[[_Motion, np.ndarray, np.random.Generator, float], None]
"""A class trajectory ``fn(motion, u, rng, amp)``: adds joint angles (and
lift) to ``motion`` for the action progress ``u`` (T,) in [0, 1] (0 before
the action window, 1 after it), drawing its variant, speed and phase from
``rng`` and scaling its main angles by ``amp`` (0.75..1.25). One-sided
actions use the right side; mirroring gives the left-side versions."""


def _wave(m: _Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Wave the right hand: arm raised sideways with the forearm up, or
    raised in front with the hand swinging side to side."""
    env = _envelope(u)
    osc = np.sin(2 * np.pi * rng.uniform(2.0, 5.0) * u + rng.uniform(0, 6.3))
    if rng.random() < 0.6:
        m.rotate(_R_SHOULDER, rx=-rng.uniform(0, 40) * env,
                 rz=-rng.uniform(70, 110) * amp * env)
        m.rotate(_R_ELBOW, rz=-(55 + 30 * amp * osc) * env)
    else:
        m.rotate(_R_SHOULDER, rx=-rng.uniform(60, 100) * env,
                 ry=25 * amp * osc * env)
        m.rotate(_R_ELBOW, rx=-rng.uniform(40, 80) * env)
    m.rotate(_R_WRIST, rz=-10 * osc * env)
    m.rotate(_NECK, ry=-10 * env)


def _punch(m: _Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Straight punches from a guard (or from the hips) with a trunk
    twist: right arm only, or alternating both arms."""
    guard = _envelope(u, 0.2) * rng.uniform(0.3, 1.0)
    reps = int(rng.integers(1, 4))
    hits = [_pulses(u, reps)**2, np.zeros_like(u)]
    if rng.random() < 0.4:  # alternating left-right punches
        w = (2 * reps * u) % 2.0
        hits = [np.sin(np.pi * np.clip(w - 1, 0, 1))**4,
                np.sin(np.pi * np.clip(w, 0, 1))**4]
    for (shoulder, sign), hit in zip(((_R_SHOULDER, 1), (_L_SHOULDER, -1)),
                                     hits):
        m.rotate(shoulder, rx=-35 * guard - rng.uniform(40, 60) * amp * hit,
                 ry=sign * 15 * guard)
        m.rotate(shoulder + 1, rx=-115 * guard * (1 - hit) - 10 * hit)
        m.rotate(_SPINE_MID, ry=sign * 20 * amp * hit)


def _clap(m: _Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Clap the hands repeatedly in front of the chest or over the head."""
    env = _envelope(u)
    beat = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3.0, 6.0) * u +
                             rng.uniform(0, 6.3)))
    overhead = rng.random() < 0.2
    lift = rng.uniform(130, 160) if overhead else rng.uniform(40, 80)
    for side, sign in ((_L_SHOULDER, -1), (_R_SHOULDER, 1)):
        if overhead:  # arms swing sideways, the hands meet above the head
            m.rotate(side, rx=-lift * env,
                     rz=-sign * (25 * amp * beat - 17) * env)
        else:  # upper arms swing horizontally, the hands meet in front
            m.rotate(side, rx=-lift * env,
                     ry=sign * (8 + 20 * amp * beat) * env)
        m.rotate(side + 1, rx=-rng.uniform(20, 60) * env)


def _arms_up(m: _Motion, u: np.ndarray, rng: np.random.Generator,
             amp: float) -> None:
    """Raise both arms over the head (sideways or in front), hold, lower."""
    up = _pulses(u, int(rng.integers(1, 3)), hold=rng.uniform(0.2, 1.0))
    angle = min(175.0, rng.uniform(120, 165) * amp) * up
    if rng.random() < 0.75:
        m.rotate(_L_SHOULDER, rx=-15 * up, rz=angle)
        m.rotate(_R_SHOULDER, rx=-15 * up, rz=-angle)
    else:
        m.rotate(_L_SHOULDER, rx=-angle, rz=10 * up)
        m.rotate(_R_SHOULDER, rx=-angle, rz=-10 * up)
    m.rotate(_L_ELBOW, rx=-15 * up)
    m.rotate(_R_ELBOW, rx=-15 * up)
    m.rotate(_NECK, rx=-10 * up)


def _squat(m: _Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Knee bends (half to deep) with a forward trunk lean, feet flat;
    arms hanging, stretched forward, or hands on the hips."""
    down = _pulses(u, int(rng.integers(1, 4)), hold=0.3)
    depth = min(105.0, rng.uniform(50, 95) * amp) * down
    lean = rng.uniform(10, 30) * down
    m.rotate(_ROOT, rx=lean)
    for hip in (_L_HIP, _R_HIP):
        m.rotate(hip, rx=-depth - lean)
        m.rotate(hip + 1, rx=depth + 20 * down)
        m.rotate(hip + 2, rx=-20 * down)
    arms = rng.integers(3)
    for shoulder, sign in ((_L_SHOULDER, 1), (_R_SHOULDER, -1)):
        if arms == 1:  # arms forward for balance
            m.rotate(shoulder, rx=-80 * down - lean)
        elif arms == 2:  # hands on the hips
            m.rotate(shoulder, rz=sign * 35 * _envelope(u))
            m.rotate(shoulder + 1, rx=-90 * _envelope(u))
    m.anchor_feet = True


def _jump(m: _Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Crouch, take off (optional arm swing, or a jumping jack spreading
    arms and legs), land softly; 1-3 jumps."""
    w = (int(rng.integers(1, 4)) * u) % 1.0
    crouch = rng.uniform(0.4, 1.0) * (
        _gauss(w, 0.22, 0.09) + 0.7 * _gauss(w, 0.85, 0.07))
    flight = np.clip(np.sin(np.pi * (w - 0.4) / 0.35), 0, None) * (
        (w > 0.4) & (w < 0.75))
    lean = 25 * crouch
    m.rotate(_ROOT, rx=lean)
    jack = rng.random() < 0.3
    for hip, sign in ((_L_HIP, 1), (_R_HIP, -1)):
        m.rotate(hip, rx=-60 * crouch - lean, rz=sign * 20 * jack * flight)
        m.rotate(hip + 1, rx=90 * crouch)
        m.rotate(hip + 2, rx=-30 * crouch + 25 * flight)
    swing = rng.uniform(0, 140)
    for shoulder, sign in ((_L_SHOULDER, 1), (_R_SHOULDER, -1)):
        if jack:
            m.rotate(shoulder, rz=sign * rng.uniform(100, 160) * flight)
        else:
            m.rotate(shoulder, rx=30 * crouch - swing * flight)
    m.lift = rng.uniform(0.1, 0.3) * amp * flight
    m.anchor_feet = True


def _bow(m: _Motion, u: np.ndarray, rng: np.random.Generator,
         amp: float) -> None:
    """Bend the trunk forward at the hips, hold, come back up."""
    bend = min(85.0, rng.uniform(25, 70) * amp) * _pulses(
        u, int(rng.integers(1, 3)), hold=rng.uniform(0.2, 1.0))
    m.rotate(_ROOT, rx=bend)
    m.rotate(_L_HIP, rx=-bend)
    m.rotate(_R_HIP, rx=-bend)
    m.rotate(_NECK, rx=0.25 * bend)
    arms = rng.integers(3)
    for shoulder in (_L_SHOULDER, _R_SHOULDER):
        if arms == 1:  # arms keep hanging vertically
            m.rotate(shoulder, rx=-bend)
        elif arms == 2:  # hands joined in front
            m.rotate(shoulder, rx=-30 * _envelope(u))
            m.rotate(shoulder + 1, rx=-60 * _envelope(u))
    m.anchor_feet = True


def _kick(m: _Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Front (or side) kicks with the right leg, arms out for balance."""
    p = _pulses(u, int(rng.integers(1, 4)))
    raise_ = min(100.0, rng.uniform(45, 85) * amp) * p
    m.rotate(_ROOT, rx=-10 * p)
    if rng.random() < 0.7:
        m.rotate(_R_HIP, rx=-raise_ + 10 * p)
        m.rotate(_R_KNEE, rx=280 * p * (1 - p))
    else:
        m.rotate(_R_HIP, rx=10 * p, rz=-0.7 * raise_)
    m.rotate(_R_ANKLE, rx=20 * p)
    m.rotate(_L_HIP, rx=10 * p)
    m.rotate(_L_KNEE, rx=10 * p)
    spread = rng.uniform(0, 40)
    m.rotate(_L_SHOULDER, rz=spread * p)
    m.rotate(_R_SHOULDER, rz=-spread * p)


def _turn(m: _Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Turn the whole body to the left on the spot, stepping or pivoting."""
    m.rotate(_ROOT, ry=min(200.0, rng.uniform(80, 180) * amp) *
             _smoothstep(u))
    step = rng.uniform(0, 1) * np.sin(np.pi * int(rng.integers(2, 5)) * u)
    for hip, lift in ((_L_HIP, np.clip(step, 0, None)),
                      (_R_HIP, np.clip(-step, 0, None))):
        m.rotate(hip, rx=-30 * lift)
        m.rotate(hip + 1, rx=50 * lift)
    m.rotate(_L_SHOULDER, rx=15 * step)
    m.rotate(_R_SHOULDER, rx=-15 * step)


def _throw(m: _Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Overhand throws: right arm cocked back high, then whipped forward."""
    w = (int(rng.integers(1, 3)) * u) % 1.0
    raise_ = np.sin(np.pi * w)
    release = _smoothstep((w - 0.45) / 0.2)
    m.rotate(_R_SHOULDER,
             rx=(40 * (1 - release) - 70 * amp * release) * raise_,
             rz=-rng.uniform(80, 130) * (1 - 0.5 * release) * raise_)
    m.rotate(_R_ELBOW, rx=-(100 * (1 - release) + 10 * release) * raise_)
    m.rotate(_SPINE_MID, ry=(25 * release - 20 * (1 - release)) * raise_)
    m.rotate(_L_SHOULDER, rx=-rng.uniform(0, 40) * raise_)


def _march(m: _Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """March on the spot: alternating knee lifts with opposite arm swing."""
    step = _envelope(u) * np.sin(2 * np.pi * rng.uniform(1.5, 3.5) * u +
                                 rng.uniform(0, 6.3))
    knee = rng.uniform(35, 75) * amp
    for hip, lift in ((_L_HIP, np.clip(step, 0, None)),
                      (_R_HIP, np.clip(-step, 0, None))):
        m.rotate(hip, rx=-knee * lift)
        m.rotate(hip + 1, rx=1.5 * knee * lift)
    swing = rng.uniform(0, 40)
    m.rotate(_L_SHOULDER, rx=swing * step)
    m.rotate(_R_SHOULDER, rx=-swing * step)
    m.rotate(_L_ELBOW, rx=-30 * _envelope(u))
    m.rotate(_R_ELBOW, rx=-30 * _envelope(u))


def _side_bend(m: _Motion, u: np.ndarray, rng: np.random.Generator,
               amp: float) -> None:
    """Lean the trunk sideways, the opposite arm over the head (or both
    hands on the hips)."""
    lean = _envelope(u) * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * u)
    angle = min(45.0, rng.uniform(20, 35) * amp)
    m.rotate(_SPINE_MID, rz=0.6 * angle * lean)
    m.rotate(_SPINE_SHOULDER, rz=0.4 * angle * lean)
    if rng.random() < 0.6:
        m.rotate(_L_SHOULDER, rz=150 * np.clip(lean, 0, None))
        m.rotate(_R_SHOULDER, rz=-150 * np.clip(-lean, 0, None))
    else:
        m.rotate(_L_SHOULDER, rz=35 * _envelope(u))
        m.rotate(_R_SHOULDER, rz=-35 * _envelope(u))
        m.rotate(_L_ELBOW, rx=-90 * _envelope(u))
        m.rotate(_R_ELBOW, rx=-90 * _envelope(u))


def _fidget(m: _Motion, rng: np.random.Generator) -> None:
    """Add one small unrelated gesture at a random time (touch the face,
    half-raise an arm, shift the weight, glance sideways, nod)."""
    tau = np.linspace(0.0, 1.0, m.angles.shape[0])
    start = rng.uniform(0.0, 0.7)
    p = _pulses(np.clip((tau - start) / rng.uniform(0.2, 0.5), 0, 1), 1,
                hold=0.5)
    side, sign = ((_L_SHOULDER, 1), (_R_SHOULDER, -1))[rng.integers(2)]
    kind = rng.integers(5)
    if kind == 0:
        m.rotate(side, rx=-40 * p, ry=-sign * 20 * p)
        m.rotate(side + 1, rx=-120 * p)
    elif kind == 1:
        m.rotate(side, rx=-rng.uniform(20, 60) * p,
                 rz=sign * rng.uniform(0, 40) * p)
    elif kind == 2:
        m.rotate(_L_KNEE if sign > 0 else _R_KNEE, rx=25 * p)
        m.rotate(_SPINE_MID, rz=-sign * 8 * p)
    elif kind == 3:
        m.rotate(_NECK, ry=sign * 35 * p)
        m.rotate(_SPINE_MID, ry=sign * 10 * p)
    else:
        m.rotate(_NECK, rx=20 * p)
        m.rotate(_ROOT, rx=8 * p)


_MOTIONS: Dict[str, MotionFn] = {
    'wave': _wave,
    'punch': _punch,
    'clap': _clap,
    'arms_up': _arms_up,
    'squat': _squat,
    'jump': _jump,
    'bow': _bow,
    'kick': _kick,
    'turn': _turn,
    'throw': _throw,
    'march': _march,
    'side_bend': _side_bend,
}
assert tuple(_MOTIONS) == SYNTH_CLASSES


# ----------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------
@dataclass
class _Body:
    """Per-performer body: bone vectors and a habitual rest posture.

    Attributes:
        offsets: (25, 3) scaled bone vectors (metres).
        style: (25, 3) rest-pose Euler offsets in degrees.
    """

    offsets: np.ndarray
    style: np.ndarray


def _random_body(rng: np.random.Generator) -> _Body:
    """Draw a body: size ±15%, segment proportions ±5%, posture habits."""
    scale = np.full(25, rng.uniform(0.85, 1.15))
    for joints in _SEGMENTS.values():
        scale[list(joints)] *= rng.uniform(0.95, 1.05)
    style = np.zeros((25, 3))
    style[_L_SHOULDER, 2] = rng.uniform(2, 10)
    style[_L_ELBOW, 0] = -rng.uniform(5, 25)
    style[_L_HIP, 2] = rng.uniform(1, 6)
    style[_SPINE_MID, 0] = rng.uniform(-3, 6)
    style[_NECK, 0] = rng.uniform(-5, 8)
    sided = np.array(NTU_MIRROR) != np.arange(25)
    mirrored = style[list(NTU_MIRROR)] * np.array([1.0, -1.0, -1.0])
    style[sided] += mirrored[sided]  # the right side copies the left
    return _Body(offsets=NTU_REST_OFFSETS * scale[:, None], style=style)


def _sway(rng: np.random.Generator, num_frames: int,
          degrees: float = 2.5) -> np.ndarray:
    """Smooth idle sway of all joint angles.

    Returns:
        (T, 25, 3) Euler angle perturbations in degrees (two random
        low-frequency sinusoids per channel).
    """
    t = np.arange(num_frames)[:, None, None, None] / FPS
    freq = rng.uniform(0.15, 0.8, (1, 25, 3, 2))
    phase = rng.uniform(0, 2 * np.pi, (1, 25, 3, 2))
    gain = rng.uniform(0.3, 1.0, (1, 25, 3, 2)) * degrees
    return (gain * np.sin(2 * np.pi * freq * t + phase)).sum(-1)


class SynthActionGenerator:
    """Seeded generator of the SynthAction skeleton dataset.

    The per-sample plan (labels, split, performers, frame counts, camera
    yaw, names, seeds) is fixed in the constructor; every sample is then
    generated independently from its own spawned seed, so
    :meth:`generate_sample` gives identical results in any order.

    Args:
        num_samples: total number of clips (classes are balanced).
        num_classes: number of classes, the first ``num_classes`` of
            :data:`SYNTH_CLASSES` (2..12).
        min_frames: minimum clip length ``T``.
        max_frames: maximum clip length ``T`` (inclusive).
        seed: seed of everything.
        noise: scale of the observation noise: 3D joint noise (1 cm std,
            2 cm at hands/feet), 2D pixel noise (2 px std, more for low
            scores) and score jitter. ``0`` gives clean annotations.
        second_person_prob: probability of a second person; they do the
            same action with probability 0.5, else stand idle.
        mirror_prob: probability to mirror a sample left/right (e.g. wave
            with the left hand, turn to the right).
        fidget_prob: probability that a person adds a small unrelated
            gesture (touch the face, half-raise an arm, glance, ...).
        val_ratio: fraction of each class given to validation performers.
        img_shape: image size ``(h, w)`` of the 2D annotations.
    """

    def __init__(self,
                 num_samples: int = 1200,
                 num_classes: int = 10,
                 min_frames: int = 48,
                 max_frames: int = 80,
                 seed: int = 0,
                 noise: float = 1.0,
                 second_person_prob: float = 0.3,
                 mirror_prob: float = 0.5,
                 fidget_prob: float = 0.5,
                 val_ratio: float = 0.2,
                 img_shape: Tuple[int, int] = (480, 640)) -> None:
        if not 2 <= num_classes <= len(SYNTH_CLASSES):
            raise ValueError(f'num_classes must be in [2, '
                             f'{len(SYNTH_CLASSES)}], got {num_classes}')
        if num_samples < num_classes:
            raise ValueError('num_samples must be >= num_classes')
        if not 8 <= min_frames <= max_frames:
            raise ValueError('need 8 <= min_frames <= max_frames')
        if noise < 0 or not 0 <= second_person_prob <= 1 \
                or not 0 <= mirror_prob <= 1 or not 0 <= fidget_prob <= 1 \
                or not 0 < val_ratio < 1:
            raise ValueError('invalid noise/probability arguments')
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.classes = SYNTH_CLASSES[:num_classes]
        self.min_frames = min_frames
        self.max_frames = max_frames
        self.seed = seed
        self.noise = noise
        self.second_person_prob = second_person_prob
        self.mirror_prob = mirror_prob
        self.fidget_prob = fidget_prob
        self.val_ratio = val_ratio
        self.img_shape = (int(img_shape[0]), int(img_shape[1]))
        plan_ss, body_ss, sample_ss = np.random.SeedSequence(seed).spawn(3)
        body_rng = np.random.default_rng(body_ss)
        self._bodies = [_random_body(body_rng) for _ in range(NUM_PERFORMERS)]
        self._sample_seeds = sample_ss.spawn(num_samples)
        self._make_plan(np.random.default_rng(plan_ss))

    def _make_plan(self, rng: np.random.Generator) -> None:
        """Draw labels, split, performers, lengths, camera yaw and names."""
        n = self.num_samples
        labels = rng.permutation(np.arange(n) % self.num_classes)
        is_val = np.zeros(n, bool)
        for c in range(self.num_classes):
            idx = np.flatnonzero(labels == c)
            num_val = int(round(self.val_ratio * len(idx)))
            num_val = min(max(num_val, 1), len(idx) - 1)
            is_val[rng.choice(idx, num_val, replace=False)] = True
        train_ids = np.array(NTU_XSUB_TRAIN_PERFORMERS)
        val_ids = np.setdiff1d(np.arange(1, NUM_PERFORMERS + 1), train_ids)
        performers = np.zeros(n, int)
        partners = np.zeros(n, int)
        for group, mask in ((train_ids, ~is_val), (val_ids, is_val)):
            first = rng.integers(len(group), size=mask.sum())
            second = (first + rng.integers(1, len(group), mask.sum())) % len(
                group)  # another performer of the same split
            performers[mask] = group[first]
            partners[mask] = group[second]
        yaw = rng.uniform(-45, 45, n)
        camera_ids = 1 + np.digitize(yaw, [-15.0, 15.0])
        counters: Dict[Tuple[int, int, int], int] = {}
        names, replications = [], []
        for i in range(n):
            key = (int(camera_ids[i]), int(performers[i]), int(labels[i]))
            counters[key] = counters.get(key, 0) + 1
            replications.append(counters[key])
            names.append(f'S001C{key[0]:03d}P{key[1]:03d}'
                         f'R{counters[key]:03d}A{key[2] + 1:03d}')
        self.labels = labels
        self.is_val = is_val
        self.performers = performers
        self.frame_dirs = names
        self._partners = partners
        self._yaw = yaw
        self._camera_ids = camera_ids
        self._replications = replications
        self._num_frames = rng.integers(self.min_frames, self.max_frames + 1,
                                        n)

    @property
    def split(self) -> Dict[str, List[str]]:
        """The ``xsub_train`` / ``xsub_val`` lists of ``frame_dir`` names."""
        return {
            'xsub_train':
            [d for d, v in zip(self.frame_dirs, self.is_val) if not v],
            'xsub_val': [d for d, v in zip(self.frame_dirs, self.is_val) if v],
        }

    def _animate(self, rng: np.random.Generator, action: Optional[str],
                 body: _Body, num_frames: int, mirror: bool,
                 base: np.ndarray, yaw: float
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Animate one person.

        Args:
            rng: random generator of this person.
            action: class name, or ``None`` for idle standing.
            body: the performer's body.
            num_frames: clip length ``T``.
            mirror: mirror the action left/right.
            base: (3, ) horizontal world position of the root (y ignored).
            yaw: body facing in degrees (0: ``+z``).

        Returns:
            Tuple of world NTU joints (T, 25, 3) and COCO keypoints
            (T, 17, 3).
        """
        motion = _Motion(num_frames)
        if action is not None:
            tau = np.linspace(0.0, 1.0, num_frames)
            start = rng.uniform(0.0, 0.3)
            stop = min(1.0, start + rng.uniform(0.55, 1.0))
            u = np.clip((tau - start) / (stop - start), 0.0, 1.0)
            _MOTIONS[action](motion, u, rng, rng.uniform(0.75, 1.25))
        if rng.random() < self.fidget_prob:
            _fidget(motion, rng)
        if mirror:
            motion.mirror()
        angles = np.deg2rad(motion.angles + body.style +
                            _sway(rng, num_frames))
        local = euler_to_matrix(angles)
        local[:, _ROOT] = _rot_y(np.deg2rad(yaw)) @ local[:, _ROOT]
        pos, glob = forward_kinematics(local, np.zeros((num_frames, 3)),
                                       body.offsets)
        shift = np.zeros((num_frames, 3))
        shift[:, 1] = _FOOT_CLEARANCE - pos[:, _FEET, 1].min(1) + motion.lift
        if motion.anchor_feet:
            ankles = pos[:, _ANKLES][:, :, [0, 2]].mean(1)
            shift[:, [0, 2]] = ankles[:1] - ankles
        t = np.arange(num_frames) / FPS
        shift[:, 0] += 0.015 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t +
                                      rng.uniform(0, 6.3))
        shift += np.array([base[0], 0.0, base[2]])
        pos += shift[:, None]
        coco = pos[:, COCO_FROM_NTU] + np.einsum(
            'tkij,kj->tki', glob[:, COCO_FROM_NTU],
            COCO_OFFSETS * (body.offsets[_HEAD, 1] / NTU_REST_OFFSETS[_HEAD,
                                                                      1]))
        return pos, coco

    def generate_sample(self, index: int) -> SynthSample:
        """Generate the ``index``-th sample of the plan.

        Args:
            index: sample index in ``[0, num_samples)``.

        Returns:
            The sample with clean world-frame motion and its camera.
        """
        rng = np.random.default_rng(self._sample_seeds[index])
        label = int(self.labels[index])
        action = self.classes[label]
        num_frames = int(self._num_frames[index])
        mirror = bool(rng.random() < self.mirror_prob)
        base0 = np.array([rng.uniform(-0.2, 0.2), 0.0, rng.uniform(-0.2, 0.2)])
        joints, coco = self._animate(
            rng, action, self._bodies[self.performers[index] - 1], num_frames,
            mirror, base0, rng.uniform(-30, 30))
        persons, faces = [joints], [coco]
        partner = 'none'
        target = base0.copy()
        if rng.random() < self.second_person_prob:
            partner = 'same' if rng.random() < 0.5 else 'idle'
            side = rng.choice([-1.0, 1.0])
            base1 = base0 + np.array(
                [side * rng.uniform(0.8, 1.2), 0.0, rng.uniform(-0.3, 0.3)])
            joints1, coco1 = self._animate(
                rng, action if partner == 'same' else None,
                self._bodies[self._partners[index] - 1], num_frames,
                bool(rng.random() < self.mirror_prob), base1,
                -side * rng.uniform(0, 30))
            persons.append(joints1)
            faces.append(coco1)
            target = 0.5 * (base0 + base1)
        target = target + np.array(
            [rng.uniform(-0.2, 0.2), rng.uniform(0.8, 1.1), 0.0])
        camera = SynthCamera.look_at(
            target,
            yaw=float(self._yaw[index]),
            pitch=rng.uniform(-15, 15),
            distance=rng.uniform(2.5, 4.0),
            focal=rng.uniform(500, 600),
            img_shape=self.img_shape)
        return SynthSample(
            frame_dir=self.frame_dirs[index],
            label=label,
            performer=int(self.performers[index]),
            camera_id=int(self._camera_ids[index]),
            replication=self._replications[index],
            joints3d=np.stack(persons),
            coco3d=np.stack(faces),
            camera=camera,
            mirrored=mirror,
            partner=partner,
            noise_seed=int(rng.integers(2**31)))

    def generate_samples(self, progress: bool = False) -> List[SynthSample]:
        """Generate all samples of the plan.

        Args:
            progress: show a tqdm progress bar.

        Returns:
            ``num_samples`` samples in plan order.
        """
        return [
            self.generate_sample(i)
            for i in tqdm(range(self.num_samples), disable=not progress,
                          desc='SynthAction', unit='clip')
        ]

    def to_ntu3d_annotation(self, sample: SynthSample) -> dict:
        """NTU-style 3D annotation of a sample (Kinect-like camera frame).

        Args:
            sample: a generated sample.

        Returns:
            Dict with ``frame_dir``, ``label``, ``total_frames`` and
            ``keypoint`` float32 (M, T, 25, 3) in metres, with Gaussian
            sensor noise scaled by ``noise``.
        """
        rng = np.random.default_rng([sample.noise_seed, 3])
        kpt = sample.camera.world_to_camera(sample.joints3d)
        sigma = np.full(25, 0.01 * self.noise)
        sigma[list(_EXTREMITIES)] *= 2.0
        kpt = kpt + rng.normal(size=kpt.shape) * sigma[:, None]
        return dict(
            frame_dir=sample.frame_dir,
            label=sample.label,
            total_frames=sample.total_frames,
            keypoint=kpt.astype(np.float32))

    def keypoint_scores(self, sample: SynthSample,
                        uv: np.ndarray) -> np.ndarray:
        """Detector-like confidences of the projected COCO keypoints.

        High (about 0.85-1.0) for visible keypoints; lower for the face when
        the person faces away, for the limbs on the side turned away from
        the camera, and near or outside the image border.

        Args:
            sample: a generated sample.
            uv: (M, T, 17, 2) clean pixel coordinates.

        Returns:
            (M, T, 17) scores in [0, 1].
        """
        rng = np.random.default_rng([sample.noise_seed, 4])
        joints = sample.joints3d
        left = joints[..., _L_HIP, :] - joints[..., _R_HIP, :]
        left[..., 1] = 0.0
        left /= np.linalg.norm(left, axis=-1, keepdims=True) + 1e-9
        forward = np.cross(left, np.array([0.0, 1.0, 0.0]))
        to_cam = sample.camera.position - joints[..., _ROOT, :]
        to_cam[..., 1] = 0.0
        to_cam /= np.linalg.norm(to_cam, axis=-1, keepdims=True) + 1e-9
        facing = (forward * to_cam).sum(-1)
        side = (left * to_cam).sum(-1)  # > 0: the left side faces the camera

        def sigmoid(x: np.ndarray) -> np.ndarray:
            return 1.0 / (1.0 + np.exp(-x))

        vis = np.ones(uv.shape[:-1])
        vis[..., :3] = 0.25 + 0.75 * sigmoid(6 * (facing[..., None] + 0.15))
        vis[..., 3] = 0.3 + 0.7 * sigmoid(6 * (side + 0.3))
        vis[..., 4] = 0.3 + 0.7 * sigmoid(6 * (0.3 - side))
        vis[..., 5::2] = 0.5 + 0.5 * sigmoid(8 * (side[..., None] + 0.6))
        vis[..., 6::2] = 0.5 + 0.5 * sigmoid(8 * (0.6 - side[..., None]))
        h, w = self.img_shape
        margin = np.minimum(
            np.minimum(uv[..., 0], w - 1 - uv[..., 0]),
            np.minimum(uv[..., 1], h - 1 - uv[..., 1]))
        border = np.where(margin < 0, 0.05,
                          0.5 + 0.5 * np.clip(margin / 24.0, 0.0, 1.0))
        base = rng.uniform(0.85, 1.0, uv.shape[:1] + (1, ) + uv.shape[2:3])
        jitter = rng.normal(size=vis.shape) * 0.04 * self.noise
        return np.clip(base * vis * border + jitter, 0.0, 1.0)

    def to_coco2d_annotation(self, sample: SynthSample) -> dict:
        """COCO-17 2D annotation of a sample (camera projection).

        Args:
            sample: a generated sample.

        Returns:
            Dict with ``frame_dir``, ``label``, ``total_frames``,
            ``img_shape``, ``original_shape`` (both ``(h, w)``),
            ``keypoint`` float32 (M, T, 17, 2) pixels with detector-like
            noise and ``keypoint_score`` float32 (M, T, 17).
        """
        rng = np.random.default_rng([sample.noise_seed, 5])
        uv = sample.camera.project_world(sample.coco3d)
        score = self.keypoint_scores(sample, uv)
        sigma = 2.0 * self.noise * (1.0 + 3.0 * (1.0 - score))
        uv = uv + rng.normal(size=uv.shape) * sigma[..., None]
        return dict(
            frame_dir=sample.frame_dir,
            label=sample.label,
            total_frames=sample.total_frames,
            img_shape=self.img_shape,
            original_shape=self.img_shape,
            keypoint=uv.astype(np.float32),
            keypoint_score=score.astype(np.float32))

    def build_annotations(self, samples: Sequence[SynthSample]
                          ) -> Tuple[dict, dict]:
        """Both pickles' contents for a list of samples.

        Args:
            samples: samples of this generator's plan.

        Returns:
            Tuple ``(ntu3d, coco2d)`` of dicts ``{'split', 'annotations'}``.
        """
        names = {s.frame_dir for s in samples}
        split = {k: [d for d in v if d in names]
                 for k, v in self.split.items()}
        ntu3d = dict(
            split=split,
            annotations=[self.to_ntu3d_annotation(s) for s in samples])
        coco2d = dict(
            split={k: list(v) for k, v in split.items()},
            annotations=[self.to_coco2d_annotation(s) for s in samples])
        return ntu3d, coco2d

    def write_dataset(self, out_dir: str,
                      progress: bool = False) -> Tuple[str, str]:
        """Generate everything and write the two pickles.

        Args:
            out_dir: output directory (created if missing).
            progress: show a tqdm progress bar.

        Returns:
            Paths of ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl``.
        """
        ntu3d, coco2d = self.build_annotations(
            self.generate_samples(progress=progress))
        os.makedirs(out_dir, exist_ok=True)
        paths = (osp.join(out_dir, 'synth_ntu3d.pkl'),
                 osp.join(out_dir, 'synth_coco2d.pkl'))
        mmengine.dump(ntu3d, paths[0])
        mmengine.dump(coco2d, paths[1])
        return paths


def write_dataset(out_dir: str, progress: bool = False,
                  **kwargs) -> Tuple[str, str]:
    """Write ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl`` to ``out_dir``.

    Args:
        out_dir: output directory.
        progress: show a tqdm progress bar.
        **kwargs: arguments of :class:`SynthActionGenerator`.

    Returns:
        The two written paths.
    """
    return SynthActionGenerator(**kwargs).write_dataset(out_dir, progress)
