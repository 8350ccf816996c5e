"""Generated inputs of the benchmarks: skeleton annotations and frames showing a person."""
import os.path as osp
from pathlib import Path
from typing import Dict, List, Tuple

import mmengine
import numpy as np

__all__ = ['COCO_TEMPLATE', 'POSITIONS', 'PHOTO_PERSON_BOX', 'coco_2d_samples', 'frame_size',
           'ntu_like_samples', 'person_frames', 'person_photo', 'write_coco_2d_pkl',
           'write_person_videos']

COCO_TEMPLATE = np.array([(0, -.42), (.03, -.45), (-.03, -.45), (.07, -.43), (-.07, -.43),
                          (.12, -.3), (-.12, -.3), (.16, -.12), (-.16, -.12), (.18, .03),
                          (-.18, .03), (.08, .05), (-.08, .05), (.09, .28), (-.09, .28),
                          (.1, .5), (-.1, .5)])
"""(17, 2) COCO-17p keypoints ``(x, y)`` of a standing person, in person heights, centred on
the hips."""

PHOTO_PERSON_BOX = (40., 30., 420., 512.)
"""The astronaut's box ``(x1, y1, x2, y2)`` in the 512 x 512 photo, by eye (helmet
included)."""

POSITIONS = 8
"""Positions of the person across the frame (frames cycle through them)."""


def ntu_like_samples(count: int, max_frames: int, seed: int) -> List[Dict]:
    """Random 3D skeleton annotations shaped like NTU's: 1-2 persons, empty frames.

    Each ``keypoint`` is float32 (M, T, 25, 3) with T in [max_frames // 2, max_frames].
    """
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        frames = int(rng.integers(max_frames // 2, max_frames + 1))
        persons = 1 + int(rng.random() < 0.3)
        keypoint = rng.normal(size=(persons, frames, 25, 3)).astype(np.float32)
        keypoint[:, rng.random(frames) < 0.05] = 0
        samples.append(dict(frame_dir=f'sample{index}', label=0, total_frames=frames,
                            keypoint=keypoint, start_index=0, modality='Pose'))
    return samples


def coco_2d_samples(count: int, frames: int, persons: int, size: int,
                    seed: int) -> List[Dict]:
    """Moving COCO-17p persons in a ``size`` x ``size`` image, as PoseC3D feeds its heatmaps.

    Person heights are 45-90% of the image (PoseCompact crops to the persons), joints
    jitter per frame, a few go past the border, scores are uniform in [0, 1) with 5%
    of them below mmaction2's 1e-4 threshold. ``keypoint`` is float32 (persons, frames,
    17, 2), ``keypoint_score`` float32 (persons, frames, 17).
    """
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        height = rng.uniform(0.45, 0.9, size=(persons, 1, 1, 1)) * size
        path = np.cumsum(rng.normal(scale=0.01 * size, size=(persons, frames, 1, 2)), axis=1)
        centre = rng.uniform(0.3, 0.7, size=(persons, 1, 1, 2)) * size + path
        pose = COCO_TEMPLATE + rng.normal(scale=0.04, size=(persons, frames, 17, 2))
        keypoint = (centre + pose * height).astype(np.float32)
        score = rng.random((persons, frames, 17)).astype(np.float32)
        score[rng.random(score.shape) < 0.05] = 0
        samples.append(dict(frame_dir=f'sample{index}', keypoint=keypoint,
                            keypoint_score=score, img_shape=(size, size)))
    return samples


def write_coco_2d_pkl(path: Path, count: int, frames: int, persons: int, size: int,
                      seed: int) -> Path:
    """``coco_2d_samples`` as an mmaction2 2D pose pkl whose every sample is in xsub_train."""
    annotations = coco_2d_samples(count, frames, persons, size, seed)
    for ann in annotations:
        ann.update(label=0, total_frames=frames, original_shape=(size, size))
    names = [ann['frame_dir'] for ann in annotations]
    mmengine.dump(dict(split=dict(xsub_train=names), annotations=annotations), str(path))
    return path


def person_photo() -> np.ndarray:
    """``skimage.data.astronaut()``, (512, 512, 3) RGB uint8; SystemExit saying what to
    install without scikit-image."""
    try:
        from skimage.data import astronaut
    except ImportError as error:
        raise SystemExit(f'benchmark.py pose needs scikit-image for its person photo '
                         f'(skimage.data.astronaut): pip install scikit-image ({error})')
    return astronaut()


def frame_size(height: int) -> Tuple[int, int]:
    """(height, width) of a 16:9 frame ``height`` pixels high, width even."""
    return height, 2 * round(height * 8 / 9)


def person_frames(photo: np.ndarray, height: int, width: int,
                  count: int = POSITIONS) -> Tuple[List[np.ndarray], np.ndarray]:
    """``count`` (height, width, 3) RGB frames of ``photo`` scaled to 90% of the frame height,
    its bottom on the frame's, from the left to the right edge, on the photo's wall colour.

    Returns:
        tuple: the frames and the person's box in each, (count, 4) float32.
    """
    import cv2
    side = min(round(0.9 * height), width)
    scaled = cv2.resize(photo, (side, side), interpolation=cv2.INTER_AREA)
    wall = np.median(photo[:40, 100:350].reshape(-1, 3), axis=0).astype(np.uint8)
    frames, boxes = [], []
    for index in range(count):
        x = round((width - side) * index / max(count - 1, 1))
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = wall
        frame[height - side:, x:x + side] = scaled
        frames.append(frame)
        boxes.append(np.float32(PHOTO_PERSON_BOX) * side / photo.shape[0]
                     + np.float32([x, height - side, x, height - side]))
    return frames, np.stack(boxes)


def write_person_videos(folder: str, photo: np.ndarray, count: int, frames: int,
                        height: int) -> None:
    """``count`` H.264 videos of ``frames`` frames (16:9, ``height`` high): the person of
    ``photo`` crossing the frame."""
    from posetools.datasets.video_io import write_video
    positions, _ = person_frames(photo, *frame_size(height), count=frames + count)
    for index in range(count):
        write_video(osp.join(folder, f'astronaut{index:03d}.mp4'),
                    np.stack(positions[index:index + frames]))
