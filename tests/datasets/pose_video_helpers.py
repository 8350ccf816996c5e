"""Helpers of the pose-aligned video tests: pipelines on the ``synth_videos`` fixture's clips,
seeding mmaction2's transforms, and SynthAction's drawn pixels."""
import random
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from posetools.datasets import PoseVideoDataset
from tests.helpers import COCO_FLIP


@contextmanager
def global_seed(seed: int) -> Iterator[None]:
    """Seed ``random`` and ``np.random`` (which mmaction2's transforms draw from) for a
    block, then restore both states."""
    states = random.getstate(), np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])


def background_colour(imgs: np.ndarray) -> np.ndarray:
    """(3, ) the background of a SynthAction ``'pixel'``-style clip: one flat grey per clip,
    its most frequent colour (pass uncropped frames, where the background dominates)."""
    colours, counts = np.unique(np.asarray(imgs).reshape(-1, 3), axis=0, return_counts=True)
    return colours[counts.argmax()]


def drawn_pixels(imgs: np.ndarray, background: Optional[np.ndarray] = None,
                 threshold: int = 20) -> np.ndarray:
    """(t, H, W) bool: the pixels of a SynthAction ``'pixel'``-style clip that are not background.

    Args:
        imgs: (t, H, W, 3) frames.
        background: (3, ) background colour. Defaults to ``background_colour(imgs)``.
        threshold: A pixel is drawn where a channel differs from the background by more.
    """
    imgs = np.asarray(imgs).astype(np.int16)
    background = background_colour(imgs) if background is None else background
    return np.abs(imgs - background).max(axis=-1) > threshold


CLIP_HEAD = [dict(type='VideoInit'),
             dict(type='mmaction.SampleFrames', clip_len=8, frame_interval=2, num_clips=1),
             dict(type='mmaction.DecordDecode'),
             dict(type='LoadClipPoses')]
"""A pose-aligned video pipeline up to the poses of 8 sampled frames."""
CLIP_CROPS = dict(
    MultiScaleCrop=dict(type='mmaction.MultiScaleCrop', input_size=64,
                        scales=(1, .875, .75, .66), random_crop=True, max_wh_scale_gap=1),
    RandomResizedCrop=dict(type='mmaction.RandomResizedCrop'))
RESIZE_FLIP = [dict(type='mmaction.Resize', scale=(64, 64), keep_ratio=False),
               dict(type='mmaction.Flip', flip_ratio=0.5, **COCO_FLIP)]


def pose_video_dataset(synth_videos: Dict[str, str],
                       pose_file: Optional[str] = None) -> PoseVideoDataset:
    """PoseVideoDataset of all videos of the ``synth_videos`` fixture, without a pipeline."""
    return PoseVideoDataset(synth_videos['all'], [],
                            pose_file=pose_file or synth_videos['annotations'],
                            data_prefix=dict(video=synth_videos['videos']))


def run_pipeline(pipeline: List[dict], info: Dict) -> Dict:
    """A sample's results after ``pipeline`` (posetools scope), from its data info."""
    init_default_scope('posetools')
    return Compose(pipeline)(dict(info, modality='RGB', start_index=0))
