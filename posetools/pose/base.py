"""The two interfaces of pose extraction: find people in a frame, then their keypoints.

A backend is a pair (person detector, pose estimator), each registered by name in
``PERSON_DETECTORS`` / ``POSE_ESTIMATORS`` (``posetools.registry``), so a detector from one
backend can feed an estimator from another. Frames are RGB ``uint8`` arrays of shape
(H, W, 3); boxes are ``(x1, y1, x2, y2)`` in pixels of that frame; keypoints are COCO-17
``(x, y)`` in pixels of that frame, with a score in [0, 1] per keypoint.
"""
from abc import ABCMeta, abstractmethod
from typing import Tuple

import numpy as np

NUM_KEYPOINTS = 17  # COCO-17


class PersonDetector(metaclass=ABCMeta):
    """Finds people in one frame."""

    @abstractmethod
    def detect(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Detect people.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB.

        Returns:
            tuple: ``boxes`` (K, 4) float32 ``(x1, y1, x2, y2)`` and ``scores`` (K,) float32,
            K >= 0, highest score first.
        """


class PoseEstimator(metaclass=ABCMeta):
    """Estimates the COCO-17 keypoints of each given person box (top-down)."""

    @abstractmethod
    def estimate(self, frame: np.ndarray,
                 boxes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Estimate keypoints inside each box.

        Args:
            frame (np.ndarray): (H, W, 3) uint8 RGB.
            boxes (np.ndarray): (K, 4) float32 ``(x1, y1, x2, y2)``.

        Returns:
            tuple: ``keypoints`` (K, 17, 2) float32 in frame pixels and ``scores``
            (K, 17) float32 in [0, 1] (0 for a keypoint the model did not find).
        """
