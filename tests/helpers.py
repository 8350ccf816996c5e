"""Helpers shared by tests: tiny annotation files and a runner for the command-line tools."""
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import mmengine
import numpy as np
import pytest

from posetools.structures.skeletons import COCO17_LEFT, COCO17_RIGHT

REPO_ROOT = Path(__file__).resolve().parents[1]


def write_skeleton_pkl(path: Path, num_samples: int = 8, num_classes: int = 4, joints: int = 25,
                       channels: int = 3, seed: int = 0) -> Path:
    """Write a random-walk skeleton pkl in mmaction2's format with xsub splits.

    Samples alternate between 1 and 2 persons and 30-50 frames; labels cycle
    through ``num_classes``; the last quarter of the samples forms ``xsub_val``.
    2D files (``channels=2``) also get ``keypoint_score`` and image shapes.
    """
    rng = np.random.default_rng(seed)
    annotations = []
    for index in range(num_samples):
        frames = int(rng.integers(30, 50))
        steps = rng.normal(scale=0.02, size=(1 + index % 2, frames, joints, channels))
        ann = dict(
            frame_dir=f'S001C001P{index + 1:03d}R001A{index % num_classes + 1:03d}',
            label=index % num_classes,
            total_frames=frames,
            keypoint=(np.cumsum(steps, axis=1) + rng.normal(size=(1, 1, joints, channels)))
            .astype(np.float32))
        if channels == 2:
            ann.update(img_shape=(480, 640), original_shape=(480, 640),
                       keypoint_score=np.ones(ann['keypoint'].shape[:3], np.float32))
        annotations.append(ann)
    names = [ann['frame_dir'] for ann in annotations]
    num_val = max(1, num_samples // 4)
    mmengine.dump(
        dict(split=dict(xsub_train=names[:-num_val], xsub_val=names[-num_val:]),
             annotations=annotations), str(path))
    return path


EPS = 1e-4  # mmaction2's heatmap score threshold
COCO_FLIP = dict(left_kp=list(COCO17_LEFT), right_kp=list(COCO17_RIGHT))


def heatmap_case(seed: int) -> dict:
    """GeneratePoseTarget arguments of randomised case ``seed``: joints, limbs or both,
    two sigmas, with and without scores, flipped copies and scaling."""
    with_kp, with_limb = [(True, False), (False, True), (True, True)][seed % 3]
    kwargs = dict(with_kp=with_kp, with_limb=with_limb, sigma=[0.6, 1.1][seed // 3 % 2],
                  use_score=seed % 7 != 3, double=seed % 4 == 1,
                  scaling=[1., 0.5][seed % 5 == 2])
    if kwargs['double']:
        kwargs.update(COCO_FLIP)
    return kwargs


def random_coco_sample(rng: np.random.Generator, persons: int, frames: int,
                       img_shape: tuple) -> dict:
    """COCO-17p keypoints over and around the image, some exactly on its border or
    edges, with zero, below-threshold and random scores."""
    height, width = img_shape
    margin = 4.
    keypoint = rng.uniform([-margin, -margin], [width + margin, height + margin],
                           size=(persons, frames, 17, 2))
    if rng.random() < 0.5:  # compact persons: short limbs, like real poses
        centre = rng.uniform([0, 0], [width, height], size=(persons, 1, 1, 2))
        keypoint = centre + rng.normal(scale=0.15 * min(img_shape), size=keypoint.shape)
    border = rng.random(keypoint.shape[:3]) < 0.15
    keypoint[..., 0][border] = rng.choice([0., width - 1., width, -1.], size=border.sum())
    border = rng.random(keypoint.shape[:3]) < 0.15
    keypoint[..., 1][border] = rng.choice([0., height - 1., height, -1.], size=border.sum())
    rounded = rng.random(keypoint.shape) < 0.2  # integer and half-pixel coordinates
    keypoint[rounded] = np.round(keypoint[rounded] * 2) / 2
    close = rng.random(keypoint.shape[:3]) < 0.1  # limbs shorter than one pixel
    keypoint[close] = keypoint[:, :, [1] * 17][close] + rng.uniform(-0.6, 0.6, (close.sum(), 2))
    score = rng.random((persons, frames, 17))
    score[rng.random(score.shape) < 0.15] = 0
    score[rng.random(score.shape) < 0.1] = EPS * rng.choice([0.5, 0.99, 1., 1.01])
    return dict(keypoint=keypoint.astype(np.float32),
                keypoint_score=score.astype(rng.choice([np.float32, np.float64])),
                img_shape=img_shape)


def run_tool(args: List[str], cwd: Optional[Path] = None,
             env: Optional[Dict[str, str]] = None, expect_ok: bool = True,
             timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python <args>`` from the repository root and return the finished process.

    With ``expect_ok`` a non-zero exit fails the test and shows the process output.
    """
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=cwd or REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if expect_ok and proc.returncode != 0:
        pytest.fail(f'{args} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}'
                    f'\n--- stderr\n{proc.stderr[-6000:]}')
    return proc
