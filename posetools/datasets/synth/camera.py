"""The pinhole camera recording SynthAction clips.

Camera frame (Kinect-like, as stored in the 3D pickle): ``x`` to the image
right, ``y`` up, ``z`` depth away from the camera (about 2-4.5 m).

Image frame: pixels, ``u`` to the right, ``v`` down, shape ``(h, w)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np


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
