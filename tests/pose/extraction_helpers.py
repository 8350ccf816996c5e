"""Test doubles of the pose backends and the small (bad) videos the extraction tests read.

Importing this module registers ``FakeForegroundDetector``, ``FakeColourDetector``,
``FakeBrokenDetector``, ``FakeBoxGridEstimator`` and ``FakeColourPoser`` (a detector and an
estimator) (``tools/data/extract_pose.py --import tests.pose.extraction_helpers`` does so in
its worker processes).
"""
import time
import wave
from fractions import Fraction
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import av
import numpy as np

from posetools.datasets.synth import SynthActionGenerator, write_video_dataset
from posetools.datasets.video_io import write_video
from posetools.pose.base import PersonDetector, PoseEstimator
from posetools.registry import PERSON_DETECTORS, POSE_ESTIMATORS

RED, GREEN = (230, 20, 20), (20, 230, 20)


def mask_box(mask: np.ndarray) -> np.ndarray:
    """(4,) ``(x1, y1, x2, y2)``: the first and last column and row of a (H, W) mask."""
    rows, cols = np.nonzero(mask)
    return np.array([cols.min(), rows.min(), cols.max(), rows.max()], np.float32)


@PERSON_DETECTORS.register_module(force=True)
class FakeForegroundDetector(PersonDetector):
    """One person around every pixel that differs from the top-left pixel by more than
    ``threshold`` in a channel (none if no pixel does); score 1. Sleeps ``delay`` seconds
    per frame (a slow backend, to interrupt)."""

    def __init__(self, threshold: int = 30, delay: float = 0.) -> None:
        self.threshold = threshold
        self.delay = delay

    def detect(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        time.sleep(self.delay)
        mask = (np.abs(frame.astype(int) - frame[0, 0].astype(int)) > self.threshold).any(-1)
        if not mask.any():
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        return mask_box(mask)[None], np.ones(1, np.float32)


@PERSON_DETECTORS.register_module(force=True)
class FakeColourDetector(PersonDetector):
    """A red person (score 0.9) and a green one (score 0.6), each where that colour is."""

    def detect(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        boxes, scores = [], []
        for channel, score in ((0, 0.9), (1, 0.6)):
            others = np.delete(frame, channel, axis=-1)
            mask = (frame[..., channel] > 150) & (others < 100).all(-1)
            if mask.any():
                boxes.append(mask_box(mask))
                scores.append(score)
        return (np.array(boxes, np.float32).reshape(-1, 4), np.array(scores, np.float32))


@POSE_ESTIMATORS.register_module(force=True)
class FakeBoxGridEstimator(PoseEstimator):
    """Keypoint j on the box's diagonal, ``(x1, y1) + j / 16 * (x2 - x1, y2 - y1)``;
    score 0.5."""

    def estimate(self, frame: np.ndarray,
                 boxes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        return grid_keypoints(boxes), np.full((len(boxes), 17), 0.5, np.float32)


@PERSON_DETECTORS.register_module(force=True)
@POSE_ESTIMATORS.register_module(force=True)
class FakeColourPoser(FakeColourDetector, FakeBoxGridEstimator):
    """:class:`FakeColourDetector` and :class:`FakeBoxGridEstimator` in one class, registered
    as both: a detector that estimates the poses too."""


@PERSON_DETECTORS.register_module(force=True)
class FakeBrokenDetector(PersonDetector):
    """Returns boxes of the wrong shape."""

    def detect(self, frame: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        return np.zeros((1, 5), np.float32), np.ones(1, np.float32)


def grid_keypoints(boxes: np.ndarray) -> np.ndarray:
    """(..., 17, 2) :class:`FakeBoxGridEstimator` keypoints of (..., 4) boxes."""
    boxes = np.asarray(boxes, np.float32)[..., None, :]
    steps = (np.arange(17, dtype=np.float32) / 16)[:, None]
    return (boxes[..., :2] + steps * (boxes[..., 2:] - boxes[..., :2])).astype(np.float32)


def write_synth_videos(out_dir: Path, num_samples: int = 4) -> Dict[str, str]:
    """SynthAction 'pixel' videos (64 x 64, 8-12 frames, one person, two classes) with
    ``write_video_dataset``'s layout (``videos/``, ``synth_videos_xsub_{train,val}.txt``,
    ``synth_videos.pkl`` with the true boxes)."""
    generator = SynthActionGenerator(num_samples=num_samples, num_classes=2, min_frames=8,
                                     max_frames=12, second_person_prob=0.)
    return write_video_dataset(generator, str(out_dir))


def colour_boxes(frames: int = 12) -> Dict[str, List]:
    """Where :func:`write_colour_video` draws its people: per colour, per frame, the box
    ``(x1, y1, x2, y2)`` (inclusive pixels) or None. Red walks right in frames 0-9, green
    walks left in frames 2-11; frame 6 is empty."""
    red = [(4 + 2 * t, 4, 19 + 2 * t, 19) if t <= 9 and t != 6 else None for t in range(frames)]
    green = [(44 - 2 * t, 26, 59 - 2 * t, 43) if t >= 2 and t != 6 else None
             for t in range(frames)]
    return dict(red=red, green=green)


def write_colour_video(path: Path, size: Tuple[int, int] = (48, 64)) -> Dict[str, List]:
    """A black video with :func:`colour_boxes`'s red and green rectangles; returns them."""
    boxes = colour_boxes()
    frames = np.zeros((len(boxes['red']), *size, 3), np.uint8)
    for colour, name in ((RED, 'red'), (GREEN, 'green')):
        for frame, box in zip(frames, boxes[name]):
            if box is not None:
                frame[box[1]:box[3] + 1, box[0]:box[2] + 1] = colour
    write_video(str(path), frames)
    return boxes


def write_blank_video(path: Path, frames: int = 6, size: Tuple[int, int] = (32, 48)) -> None:
    """A flat grey video: nobody in it."""
    write_video(str(path), np.full((frames, *size, 3), 100, np.uint8))


def write_resizing_video(path: Path, sizes: Sequence[Tuple[int, int]] = ((32, 48), (48, 64)),
                         frames_per_size: int = 4) -> None:
    """An H.264 mp4 whose frame size changes mid-stream: each size is its own encoder's
    stream (with in-band SPS), muxed into one video track with running timestamps."""
    rng = np.random.default_rng(0)
    with av.open(str(path), mode='w') as container:
        stream = container.add_stream('libx264', rate=Fraction(25))
        stream.height, stream.width = sizes[0]
        stream.pix_fmt = 'yuv420p'
        for index, (height, width) in enumerate(sizes):
            encoder = av.CodecContext.create('libx264', 'w')
            encoder.height, encoder.width, encoder.pix_fmt = height, width, 'yuv420p'
            encoder.time_base, encoder.framerate = Fraction(1, 25), Fraction(25)
            packets = []
            for pts in range(frames_per_size):
                image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format='rgb24')
                frame.pts, frame.time_base = pts, Fraction(1, 25)
                packets += encoder.encode(frame)
            packets += encoder.encode(None)
            for packet in packets:
                packet.pts += index * frames_per_size
                packet.dts += index * frames_per_size
                packet.stream = stream
                container.mux(packet)


def write_truncated_avi(path: Path) -> None:
    """An MPEG-4 AVI cut in half: its header declares 20 frames, FFmpeg decodes fewer
    without an error."""
    rng = np.random.default_rng(0)
    with av.open(str(path), mode='w') as container:
        stream = container.add_stream('mpeg4', rate=Fraction(25))
        stream.width, stream.height, stream.pix_fmt = 48, 32, 'yuv420p'
        for _ in range(20):
            image = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format='rgb24')))
        container.mux(stream.encode())
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def write_bad_files(folder: Path) -> Dict[str, str]:
    """Bad videos in ``folder``: file name -> the reason the extraction gives."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'zero_bytes.mp4').write_bytes(b'')
    (folder / 'text.mp4').write_text('not a video\n' * 20)
    write_colour_video(folder / 'cut_index.mp4')
    data = (folder / 'cut_index.mp4').read_bytes()  # the index (moov) is at the end: cut off
    (folder / 'cut_index.mp4').write_bytes(data[:len(data) // 2])
    write_truncated_avi(folder / 'cut.avi')
    write_resizing_video(folder / 'resizing.mp4')
    write_blank_video(folder / 'nobody.mp4')
    with wave.open(str(folder / 'audio.mp4'), 'wb') as audio:  # a WAV file named .mp4
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(1600))
    return {'zero_bytes.mp4': 'empty file (0 bytes)',
            'text.mp4': 'not a video FFmpeg can open',
            'cut_index.mp4': 'not a video FFmpeg can open',
            'cut.avi': 'truncated or corrupt',
            'resizing.mp4': 'the frame size changes mid-stream',
            'nobody.mp4': 'no person detected',
            'audio.mp4': 'no video stream'}
