"""Extract the persons' COCO-17 poses of a video into one skeleton annotation entry.

:class:`PoseExtractor` decodes a video frame by frame, finds people with a
:class:`~posetools.pose.PersonDetector`, estimates their keypoints with a
:class:`~posetools.pose.PoseEstimator` and links them over time with an
:class:`~posetools.pose.tracking.IoUTracker`. The entry it returns is one annotation of
the mmaction2/pyskl 2D skeleton pkl (without ``label``) plus the person boxes that
``PoseVideoDataset`` (directed MAE) reads:

- ``frame_dir`` (str), ``total_frames`` (int T),
- ``img_shape`` and ``original_shape`` ((h, w) of the video's frames; the poses are in
  those pixels),
- ``keypoint`` float32 (M, T, 17, 2) ``(x, y)`` and ``keypoint_score`` float32 (M, T, 17),
- ``person_box`` float32 (M, T, 4) ``(x1, y1, x2, y2)`` and ``person_box_score`` float32
  (M, T): the detector's box and score of person m in frame t,

with M <= ``max_persons`` person tracks in a fixed order (see
:class:`~posetools.pose.tracking.IoUTracker`); person m's keypoints, scores, box and box
score are all zero in a frame where m was not detected, and M = 0 when nobody was.
"""
import importlib
import os.path as osp
from typing import Dict, Iterator, Optional, Sequence, Tuple, Union

import av
import numpy as np

from posetools.datasets.video_io import VideoReadError
from posetools.pose.base import NUM_KEYPOINTS, PersonDetector, PoseEstimator
from posetools.pose.tracking import IoUTracker
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS

__all__ = ['BACKENDS', 'PoseExtractor', 'ResolutionChangeError', 'extract_or_reason',
           'frames_without_person', 'init_process_extractor', 'read_frames']

BACKENDS: Dict[str, Tuple[Dict, Optional[Dict]]] = {
    'mediapipe': (dict(type='MediaPipePoseLandmarker'), None),
    'mediapipe-topdown': (dict(type='MediaPipePersonDetector'),
                          dict(type='MediaPipePoseEstimator')),
    'mm': (dict(type='MMDetPersonDetector', config=None, checkpoint=None),
           dict(type='MMPoseTopDownEstimator', config=None, checkpoint=None)),
}
"""Named (detector, estimator) config pairs; an estimator of ``None`` means that the
detector estimates the poses too (one instance in both roles, see :class:`PoseExtractor`).

- ``'mediapipe'`` (the default): BlazePose once per frame
  (:class:`~posetools.pose.MediaPipePoseLandmarker`).
- ``'mediapipe-topdown'``: BlazePose on the whole frame finds the people, then runs again on
  a crop around each (1 + K passes for K people). Its estimator,
  :class:`~posetools.pose.MediaPipePoseEstimator`, also takes the boxes of another detector.
- ``'mm'``: an MMDetection detector and an MMPose top-down model, as mmaction2's skeleton
  extraction; needs their ``config`` and ``checkpoint`` filled in.
"""


class ResolutionChangeError(VideoReadError):
    """A video's frame size changes mid-stream."""


def read_frames(path: str) -> Iterator[np.ndarray]:
    """Decode a video's first video stream with PyAV, one frame at a time.

    Only the current frame is held in memory. Unlike the readers of
    :mod:`posetools.datasets.video_io` (decord silently returns wrong frames after a
    mid-stream size change; the PyAV reader decodes the whole video first), every frame's
    size is checked against the first frame's.

    Args:
        path (str): A local video file.

    Yields:
        np.ndarray: (H, W, 3) uint8 RGB frames, all of the first frame's size.

    Raises:
        VideoReadError: With the message ``'<path>: <reason>[: <details>]'``: the file is
            missing or empty, FFmpeg cannot open or decode it, it has no video stream or no
            decodable frame, or fewer or more frames decode than the container declares (a
            truncated file).
        ResolutionChangeError: A frame's size differs from the first frame's.
    """
    if not osp.isfile(path):
        raise VideoReadError(f'{path}: file not found')
    if osp.getsize(path) == 0:
        raise VideoReadError(f'{path}: empty file (0 bytes)')
    try:
        container = av.open(path, metadata_errors='ignore')
    except av.FFmpegError as error:
        raise VideoReadError(f'{path}: not a video FFmpeg can open: '
                             f'{error.strerror or error}') from error
    count = 0
    with container:
        if not container.streams.video:
            raise VideoReadError(f'{path}: no video stream')
        stream = container.streams.video[0]
        stream.thread_count = 1
        try:
            for frame in container.decode(stream):
                size = (frame.height, frame.width)
                if count == 0:
                    first_size = size
                elif size != first_size:
                    raise ResolutionChangeError(
                        f'{path}: the frame size changes mid-stream: frame {count} is '
                        f'{size[0]}x{size[1]} (h x w), frame 0 is '
                        f'{first_size[0]}x{first_size[1]}')
                count += 1
                yield frame.to_ndarray(format='rgb24')
        except av.FFmpegError as error:
            raise VideoReadError(f'{path}: truncated or corrupt: FFmpeg fails after {count} '
                                 f'frames: {error.strerror or error}') from error
        declared = stream.frames
    if count == 0:
        raise VideoReadError(f'{path}: the video stream has no decodable frame')
    if declared and count != declared:
        raise VideoReadError(f'{path}: truncated or corrupt: {count} frames decode, the '
                             f'container declares {declared}')


def frames_without_person(entry: Dict) -> int:
    """Frames of an entry in which none of its persons was detected (all boxes zero)."""
    detected = entry['person_box'].any(axis=(0, 2))  # (T,)
    return entry['total_frames'] - int(detected.sum())


class PoseExtractor:
    """Video -> skeleton annotation entry (see the module docstring for its layout).

    Per frame, ``estimator.estimate`` gets the frame array given to ``detector.detect`` and
    the boxes it returned, unchanged (as float32).

    Args:
        detector (PersonDetector | dict): The person detector, or its config for
            ``PERSON_DETECTORS.build``.
        estimator (PoseEstimator | dict, optional): The pose estimator, or its config for
            ``POSE_ESTIMATORS.build``. ``None`` (the default): the detector estimates the
            poses too and serves as the estimator (it must be a :class:`PoseEstimator` as
            well, e.g. :class:`~posetools.pose.MediaPipePoseLandmarker`, which then returns
            the keypoints it found while detecting instead of running again).
        max_persons (int): The most person tracks kept per video. Defaults to 2.
        iou_thr (float): Least box IoU that continues a track. Defaults to 0.3.

    Raises:
        TypeError: ``estimator`` is None and the detector is not a :class:`PoseEstimator`.
    """

    def __init__(self, detector: Union[PersonDetector, Dict],
                 estimator: Union[PoseEstimator, Dict, None] = None, max_persons: int = 2,
                 iou_thr: float = 0.3) -> None:
        self.detector = PERSON_DETECTORS.build(detector) if isinstance(detector, dict) \
            else detector
        if estimator is None:
            if not isinstance(self.detector, PoseEstimator):
                raise TypeError(
                    f'{type(self.detector).__name__} is not a PoseEstimator: without an '
                    'estimator (None) the detector must estimate the poses too; give a pose '
                    'estimator')
            self.estimator = self.detector
        else:
            self.estimator = POSE_ESTIMATORS.build(estimator) \
                if isinstance(estimator, dict) else estimator
        self.max_persons = max_persons
        self.iou_thr = iou_thr

    def extract(self, path: str, frame_dir: Optional[str] = None) -> Dict:
        """Extract the poses of one video.

        Args:
            path (str): The video file.
            frame_dir (str, optional): The entry's ``frame_dir``. Defaults to the file
                name without extension.

        Returns:
            dict: The entry; M = 0 when no person was detected in any frame.

        Raises:
            VideoReadError: See :func:`read_frames` (:class:`ResolutionChangeError` for a
                size change).
            ValueError: A backend returned arrays of the wrong shape.
        """
        tracker = IoUTracker(self.max_persons, self.iou_thr)
        for frame in read_frames(path):
            tracker.update(*self._detect(frame))
        height, width = frame.shape[:2]
        return dict(frame_dir=osp.splitext(osp.basename(path))[0] if frame_dir is None
                    else frame_dir,
                    total_frames=tracker.num_frames, img_shape=(height, width),
                    original_shape=(height, width), **tracker.result())

    def _detect(self, frame: np.ndarray) -> Tuple[np.ndarray, ...]:
        """The frame's K person boxes (K, 4), box scores (K,), keypoints (K, 17, 2) and
        keypoint scores (K, 17), float32, checked."""
        boxes, scores = self.detector.detect(frame)
        boxes = self._checked(boxes, (len(boxes), 4), 'detect', 'boxes')
        persons = len(boxes)
        scores = self._checked(scores, (persons, ), 'detect', 'scores')
        if not persons:
            return (boxes, scores, np.zeros((0, NUM_KEYPOINTS, 2), np.float32),
                    np.zeros((0, NUM_KEYPOINTS), np.float32))
        keypoints, keypoint_scores = self.estimator.estimate(frame, boxes)
        return (boxes, scores,
                self._checked(keypoints, (persons, NUM_KEYPOINTS, 2), 'estimate', 'keypoints'),
                self._checked(keypoint_scores, (persons, NUM_KEYPOINTS), 'estimate', 'scores'))

    def _checked(self, array: np.ndarray, shape: Tuple[int, ...], method: str,
                 what: str) -> np.ndarray:
        """``array`` as float32, or a ValueError naming the backend if its shape is not
        ``shape``."""
        array = np.asarray(array, np.float32)
        if array.shape != shape:
            backend = self.detector if method == 'detect' else self.estimator
            raise ValueError(f'{type(backend).__name__}.{method} returned {what} of shape '
                             f'{array.shape}, expected {shape}')
        return array


_process_extractor: Optional[PoseExtractor] = None
"""This process's extractor, built by :func:`init_process_extractor`."""
_process_error: Optional[str] = None
"""Why it could not be built."""


def init_process_extractor(detector: Dict, estimator: Optional[Dict], max_persons: int = 2,
                           iou_thr: float = 0.3, imports: Sequence[str] = ()) -> None:
    """Import ``imports`` (modules that register backend classes), then build this
    process's :class:`PoseExtractor` once; the initializer of extraction worker processes.

    A failure is kept, not raised, and raised by :func:`extract_or_reason`.
    """
    global _process_extractor, _process_error
    _process_extractor, _process_error = None, None
    try:
        for module in imports:
            importlib.import_module(module)
        _process_extractor = PoseExtractor(detector, estimator, max_persons, iou_thr)
    except Exception as error:  # noqa: BLE001: reported by extract_or_reason
        _process_error = f'{type(error).__name__}: {error}'


def extract_or_reason(path: str, frame_dir: str
                      ) -> Tuple[Optional[Dict], Optional[Tuple[str, str]]]:
    """Extract one video with this process's extractor; any failure of the video becomes a
    reason instead of an exception.

    Args:
        path (str): The video file.
        frame_dir (str): Its entry's ``frame_dir``.

    Returns:
        tuple: ``(entry, None)``, or ``(None, (reason, detail))`` for a video that cannot
        be read (the reason of :class:`VideoReadError`, e.g. ``'empty file (0 bytes)'``),
        in which no person is detected in any frame (``'no person detected'``), or whose
        backend raises (``'extraction failed (<exception type>)'``).

    Raises:
        RuntimeError: :func:`init_process_extractor` failed, or was not called.
    """
    if _process_extractor is None:
        raise RuntimeError(f'cannot build the pose backend: {_process_error or "not built"}')
    try:
        entry = _process_extractor.extract(path, frame_dir)
    except VideoReadError as error:
        reason, _, detail = str(error)[len(path) + 2:].partition(': ')
        return None, (reason, detail)
    except Exception as error:  # noqa: BLE001: a backend failure skips only this video
        return None, (f'extraction failed ({type(error).__name__})', str(error))
    if not len(entry['keypoint']):
        return None, ('no person detected', f"in any of {entry['total_frames']} frames")
    return entry, None
