"""A video list whose videos carry their per-frame person boxes and keypoints."""
import logging
import os.path as osp
from typing import Dict, List, NoReturn, Optional, Tuple

import mmengine
import numpy as np
from mmengine.fileio import exists, join_path
from mmengine.logging import print_log
from mmengine.utils import is_abs

from posetools.datasets.robust_video_dataset import RobustVideoDataset
from posetools.datasets.validated_pose_dataset import AnnotationError
from posetools.registry import DATASETS

COCO_JOINTS = 17
"""Joints of an empty pose when no matched entry has persons to take the count from."""
NAMES_SHOWN = 5
"""How many video names the start-up warning lists per kind."""


def empty_pose(num_joints: int) -> Dict:
    """The pose of a video without an entry: zero persons, no frame count or shape to check."""
    return dict(frame_dir=None,
                keypoint=np.zeros((0, 0, num_joints, 2), np.float32),
                keypoint_score=np.zeros((0, 0, num_joints), np.float32),
                person_box=np.zeros((0, 0, 4), np.float32),
                total_frames=None, img_shape=None)


def boxes_from_keypoints(keypoint: np.ndarray, score: np.ndarray) -> np.ndarray:
    """(M, T, 4) float32 ``(x1, y1, x2, y2)`` around the keypoints with score > 0.

    Args:
        keypoint: (M, T, V, 2) keypoints.
        score: (M, T, V) keypoint scores.

    Returns:
        The boxes; all zero for a person and frame without a scored keypoint.
    """
    seen = (score > 0)[..., None]  # (M, T, V, 1)
    low = np.where(seen, keypoint, np.inf).min(axis=2)  # (M, T, 2)
    high = np.where(seen, keypoint, -np.inf).max(axis=2)
    boxes = np.concatenate([low, high], axis=-1)  # (M, T, 4)
    boxes[~seen.any(axis=2)[..., 0]] = 0
    return boxes.astype(np.float32)


@DATASETS.register_module()
class PoseVideoDataset(RobustVideoDataset):
    """:class:`RobustVideoDataset` whose samples also carry the video's poses.

    The poses come from an mmaction2/pyskl skeleton pkl (``{'split': ..., 'annotations':
    [...]}`` or a bare list of annotation dicts), entries keyed by ``frame_dir``, such as
    SynthAction's ``synth_videos.pkl`` (with ``person_box``, without ``keypoint_score``) or
    an mmaction2/pyskl 2D pkl (with ``keypoint_score``, without boxes). A video of the list
    is matched to the entry whose ``frame_dir`` is its list path without extension
    (``abseiling/abc.mp4`` -> ``abseiling/abc``), else its base name (``abc``).

    Each sample gets ``pose``, read by ``LoadClipPoses`` after the frames are decoded:

    - ``frame_dir`` (str | None): the matched entry.
    - ``keypoint`` (np.ndarray): (M, T, V, 2) float32.
    - ``keypoint_score`` (np.ndarray): (M, T, V) float32, ones if the entry has none.
    - ``person_box`` (np.ndarray): (M, T, 4) float32 ``(x1, y1, x2, y2)``; if the entry
      has none, the box around the person's keypoints with score > 0 in that frame (all
      zero where there is none).
    - ``total_frames`` (int | None) and ``img_shape`` (tuple[int, int] | None): what the
      poses were extracted from, checked against the decoded video.

    A video without an entry, or whose entry has zero persons (M = 0), gets an empty pose
    (M = 0, ``total_frames`` and ``img_shape`` None when there is no entry): its saliency
    is all zero, so the masker falls back to its no-saliency behaviour. Their list paths
    are kept in :attr:`videos_without_entry` and :attr:`videos_without_persons` and logged
    in one warning at start-up. A missing ``pose_file`` raises ``FileNotFoundError``; a
    malformed matched entry (no ``keypoint``, not (M, T, V, 2), scores, boxes or
    ``total_frames`` that disagree with it, no ``img_shape`` for a posed entry), duplicate
    ``frame_dir`` values, or a pose file that matches none of the videos, raise
    :class:`~posetools.datasets.AnnotationError` naming the file (and ``frame_dir``).

    Args:
        ann_file (str): The video list, ``<video> <label>`` per line.
        pipeline (list[dict | callable]): Data transforms: ``VideoInit``, a sampler,
            ``mmaction.DecordDecode``, ``LoadClipPoses``, then the augmentations.
        pose_file (str): The skeleton pkl, relative to ``data_root`` unless absolute.
        **kwargs: Passed to :class:`RobustVideoDataset`.

    Attributes:
        videos_without_entry (list[str]): List paths of the videos without a pose entry.
        videos_without_persons (list[str]): List paths of those whose entry has M = 0.
    """

    def __init__(self, ann_file: str, pipeline: List, pose_file: str, **kwargs) -> None:
        self.pose_file = pose_file
        self.videos_without_entry: List[str] = []
        self.videos_without_persons: List[str] = []
        super().__init__(ann_file, pipeline, **kwargs)

    def _join_prefix(self) -> None:
        """Join ``data_root`` with the list, the video prefix and the pose file."""
        super()._join_prefix()
        if self.data_root and not is_abs(self.pose_file):
            self.pose_file = join_path(self.data_root, self.pose_file)

    def load_data_list(self) -> List[Dict]:
        """Parse the video list and attach each video's ``pose``."""
        data_list = super().load_data_list()
        entries = self._load_entries()
        matched: List[Tuple[str, Optional[Dict]]] = []
        for info in data_list:
            video = self._list_path(info['filename'])
            stem = osp.splitext(video)[0]
            matched.append((video, entries.get(stem, entries.get(osp.basename(stem)))))
        if all(entry is None for _, entry in matched):
            raise AnnotationError(
                f'{self.pose_file}: no video of {self.ann_file} has a pose entry (tried '
                f'frame_dir {osp.splitext(matched[0][0])[0]!r} and its base name for the first '
                f'video; the pose file has e.g. {list(entries)[:3]})')
        poses = [None if entry is None else self._parse_entry(entry) for _, entry in matched]
        joints = next((pose['keypoint'].shape[2] for pose in poses
                       if pose is not None and len(pose['keypoint'])), COCO_JOINTS)
        self.videos_without_entry = [video for video, entry in matched if entry is None]
        self.videos_without_persons = [video for (video, _), pose in zip(matched, poses)
                                       if pose is not None and not len(pose['keypoint'])]
        for info, pose in zip(data_list, poses):
            info['pose'] = empty_pose(joints) if pose is None else pose
        self._warn_empty(len(data_list))
        return data_list

    def _list_path(self, filename: str) -> str:
        """The video's path as the list file writes it (``filename`` without the prefix)."""
        prefix = self.data_prefix['video']
        if prefix and filename.startswith(osp.join(prefix, '')):
            return filename[len(osp.join(prefix, '')):]
        return filename

    def _load_entries(self) -> Dict[str, Dict]:
        """The pose file's entries by ``frame_dir``."""
        if not exists(self.pose_file):
            raise FileNotFoundError(f'{self.pose_file}: pose file not found (for your own '
                                    'videos run `python tools/data/extract_pose.py`; for '
                                    'SynthAction `python tools/data/gen_synth.py --videos`)')
        content = mmengine.load(self.pose_file, file_format='pkl')
        if isinstance(content, dict) and 'annotations' in content:
            content = content['annotations']
        if not isinstance(content, list):
            raise AnnotationError(f"{self.pose_file}: expected a list of annotations or a dict "
                                  f"with 'annotations', found {type(content).__name__}")
        entries: Dict[str, Dict] = {}
        for index, entry in enumerate(content):
            if not isinstance(entry, dict) or 'frame_dir' not in entry:
                raise AnnotationError(f"{self.pose_file}: annotation #{index} has no 'frame_dir'")
            if entry['frame_dir'] in entries:
                raise AnnotationError(
                    f"{self.pose_file}: frame_dir {entry['frame_dir']!r} appears twice")
            entries[entry['frame_dir']] = entry
        return entries

    def _parse_entry(self, entry: Dict) -> Dict:
        """Check one matched entry and convert it to a ``pose`` dict."""
        name = entry['frame_dir']

        def fail(problem: str) -> NoReturn:
            raise AnnotationError(f'{self.pose_file}: frame_dir {name!r}: {problem}')

        if 'keypoint' not in entry:
            fail(f"no 'keypoint' (has {sorted(entry)})")
        keypoint = np.asarray(entry['keypoint'], np.float32)
        if keypoint.ndim != 4 or keypoint.shape[-1] != 2:
            fail(f'keypoint must have shape (M, T, V, 2), got {keypoint.shape}')
        persons, frames, joints, _ = keypoint.shape
        total_frames = entry.get('total_frames', frames if persons else None)
        if persons and total_frames != frames:
            fail(f'total_frames={total_frames} but keypoint has {frames} frames')
        if 'keypoint_score' in entry:
            score = np.asarray(entry['keypoint_score'], np.float32)
            if score.shape != keypoint.shape[:3]:
                fail(f'keypoint_score has shape {score.shape}, expected {keypoint.shape[:3]}')
        else:
            score = np.ones(keypoint.shape[:3], np.float32)
        if 'person_box' in entry:
            box = np.asarray(entry['person_box'], np.float32)
            if box.shape != keypoint.shape[:2] + (4, ):
                fail(f'person_box has shape {box.shape}, expected {keypoint.shape[:2] + (4, )}')
        else:
            box = boxes_from_keypoints(keypoint, score)
        img_shape = entry.get('img_shape')
        if img_shape is None and persons:
            fail('no img_shape: the poses cannot be checked against the decoded frames')
        return dict(frame_dir=name, keypoint=keypoint, keypoint_score=score, person_box=box,
                    total_frames=None if total_frames is None else int(total_frames),
                    img_shape=None if img_shape is None else tuple(int(s) for s in img_shape))

    def _warn_empty(self, num_videos: int) -> None:
        """Log one warning about the videos that get an empty pose."""
        kinds = [(self.videos_without_entry, 'without a pose entry'),
                 (self.videos_without_persons, 'with zero persons in their entry')]
        parts = [f'{kind}: {len(videos)} of {num_videos} ({", ".join(videos[:NAMES_SHOWN])}'
                 f'{", ..." if len(videos) > NAMES_SHOWN else ""})'
                 for videos, kind in kinds if videos]
        if parts:
            print_log(
                f'{self.pose_file}: videos of {self.ann_file} {"; ".join(parts)}; they get an '
                "empty pose (all-zero saliency) and fall back to the masker's no-saliency "
                'behaviour', logger='current', level=logging.WARNING)
