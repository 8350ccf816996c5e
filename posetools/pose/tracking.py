"""Multi-person bookkeeping of pose extraction: per-frame detections -> a few person tracks.

:class:`IoUTracker` links each frame's detections to person tracks by box IoU (Hungarian
assignment), then keeps the ``max_persons`` most confident tracks, so that ``keypoint[m]``
of the result is the same person in every frame.
"""
from typing import Dict, List

import numpy as np
from scipy.optimize import linear_sum_assignment

from posetools.pose.base import NUM_KEYPOINTS


def box_iou(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of ``(x1, y1, x2, y2)`` boxes.

    Args:
        boxes_a (np.ndarray): (N, 4).
        boxes_b (np.ndarray): (K, 4).

    Returns:
        np.ndarray: (N, K) float64 IoU in [0, 1] (0 where both boxes have no area).
    """
    a = np.asarray(boxes_a, np.float64)[:, None]  # (N, 1, 4)
    b = np.asarray(boxes_b, np.float64)[None]  # (1, K, 4)
    width = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    height = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0,
                     None)
    inter = width * height

    def area(box: np.ndarray) -> np.ndarray:
        return np.clip(box[..., 2] - box[..., 0], 0, None) * np.clip(box[..., 3] - box[..., 1],
                                                                   0, None)

    union = area(a) + area(b) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


class _Track:
    """One person's detections: frame index -> (box, score, keypoints, keypoint scores)."""

    def __init__(self) -> None:
        self.frames: List[int] = []
        self.boxes: List[np.ndarray] = []
        self.scores: List[float] = []
        self.keypoints: List[np.ndarray] = []
        self.keypoint_scores: List[np.ndarray] = []

    def add(self, frame: int, box: np.ndarray, score: float, keypoints: np.ndarray,
            keypoint_scores: np.ndarray) -> None:
        """Append the detection of ``frame``."""
        self.frames.append(frame)
        self.boxes.append(box)
        self.scores.append(score)
        self.keypoints.append(keypoints)
        self.keypoint_scores.append(keypoint_scores)


class IoUTracker:
    """Assign each frame's person detections to tracks by box IoU.

    Per frame, the detections are matched to the existing tracks by the Hungarian
    algorithm (``scipy.optimize.linear_sum_assignment``) on the IoU between each track's
    most recent box (however many frames ago it was seen, so a person missed for a few
    frames keeps their track) and each detected box; a pair with IoU below ``iou_thr``
    is no match, and every unmatched detection starts a new track. A track gets at most
    one detection per frame.

    :meth:`result` keeps the ``max_persons`` tracks with the largest summed box score
    (over the frames they were detected in) and orders them by that sum, largest first
    (ties: earlier first appearance first), so ``keypoint[0]`` is the most confidently
    and longest seen person. A kept track is all zero (keypoints, scores, box, box
    score) in the frames it has no detection in.

    Args:
        max_persons (int): The most tracks kept, >= 1.
        iou_thr (float): Least IoU of a match, in (0, 1]. Defaults to 0.3.
    """

    def __init__(self, max_persons: int, iou_thr: float = 0.3) -> None:
        if max_persons < 1:
            raise ValueError(f'max_persons must be >= 1, got {max_persons}')
        if not 0 < iou_thr <= 1:
            raise ValueError(f'iou_thr must be in (0, 1], got {iou_thr}')
        self.max_persons = max_persons
        self.iou_thr = iou_thr
        self.num_frames = 0
        self.tracks: List[_Track] = []

    def update(self, boxes: np.ndarray, box_scores: np.ndarray, keypoints: np.ndarray,
               keypoint_scores: np.ndarray) -> None:
        """Add the next frame's K >= 0 detections.

        Args:
            boxes (np.ndarray): (K, 4) ``(x1, y1, x2, y2)``.
            box_scores (np.ndarray): (K,) detection scores.
            keypoints (np.ndarray): (K, 17, 2) COCO-17 ``(x, y)``.
            keypoint_scores (np.ndarray): (K, 17).
        """
        frame = self.num_frames
        self.num_frames += 1
        detections = [(boxes[k], float(box_scores[k]), keypoints[k], keypoint_scores[k])
                      for k in range(len(boxes))]
        unmatched = set(range(len(detections)))
        if self.tracks and detections:
            iou = box_iou(np.stack([track.boxes[-1] for track in self.tracks]), boxes)
            for track, detection in zip(*linear_sum_assignment(iou, maximize=True)):
                if iou[track, detection] >= self.iou_thr:
                    self.tracks[track].add(frame, *detections[detection])
                    unmatched.discard(detection)
        for detection in sorted(unmatched):
            self.tracks.append(_Track())
            self.tracks[-1].add(frame, *detections[detection])

    def result(self) -> Dict[str, np.ndarray]:
        """The kept tracks over all frames so far (T = number of :meth:`update` calls).

        Returns:
            dict: float32 arrays ``keypoint`` (M, T, 17, 2), ``keypoint_score`` (M, T, 17),
            ``person_box`` (M, T, 4) and ``person_box_score`` (M, T), with
            M = min(number of tracks, ``max_persons``): M = 0 when nothing was detected
            in any frame (mmaction2's pose transforms and ``PoseVideoDataset`` take it as
            a video without people).
        """
        ranked = sorted(self.tracks, key=lambda track: (-sum(track.scores), track.frames[0]))
        kept = ranked[:self.max_persons]
        persons, frames = len(kept), self.num_frames
        out = dict(keypoint=np.zeros((persons, frames, NUM_KEYPOINTS, 2), np.float32),
                   keypoint_score=np.zeros((persons, frames, NUM_KEYPOINTS), np.float32),
                   person_box=np.zeros((persons, frames, 4), np.float32),
                   person_box_score=np.zeros((persons, frames), np.float32))
        for index, track in enumerate(kept):
            out['keypoint'][index, track.frames] = track.keypoints
            out['keypoint_score'][index, track.frames] = track.keypoint_scores
            out['person_box'][index, track.frames] = track.boxes
            out['person_box_score'][index, track.frames] = track.scores
        return out
