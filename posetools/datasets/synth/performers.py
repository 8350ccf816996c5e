"""The 40 synthetic SynthAction performers: ids, split and bodies.

Performer ids ``1..40`` follow NTU RGB+D's cross-subject (``xsub``) split;
each performer has a fixed :class:`Body` (size, proportions and habitual
posture) drawn by :func:`random_body`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np

from posetools.datasets.synth.skeleton import (L_ELBOW, L_HIP, L_SHOULDER,
                                               NECK, NTU_REST_OFFSETS,
                                               SPINE_MID)
from posetools.structures.skeletons import NTU25_MIRROR

NTU_XSUB_TRAIN_PERFORMERS: Tuple[int, ...] = (
    1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38)
"""NTU RGB+D cross-subject training performers; 21..40 others are val."""

NUM_PERFORMERS = 40
"""Number of synthetic performers (ids ``1..40``, like NTU RGB+D 60)."""

_SEGMENTS = {
    'trunk': (1, 2, 20),
    'head': (3, ),
    'arms': (4, 5, 6, 7, 8, 9, 10, 11, 21, 22, 23, 24),
    'legs': (12, 13, 14, 15, 16, 17, 18, 19),
}
"""Body segments whose bones :func:`random_body` scales together (the
segment proportions)."""


@dataclass
class Body:
    """Per-performer body: bone vectors and a habitual rest posture.

    Attributes:
        offsets: (25, 3) scaled bone vectors (metres).
        style: (25, 3) rest-pose Euler offsets in degrees.
    """

    offsets: np.ndarray
    style: np.ndarray


def random_body(rng: np.random.Generator) -> Body:
    """Draw a body: size ±15%, segment proportions ±5%, posture habits."""
    scale = np.full(25, rng.uniform(0.85, 1.15))
    for joints in _SEGMENTS.values():
        scale[list(joints)] *= rng.uniform(0.95, 1.05)
    style = np.zeros((25, 3))
    style[L_SHOULDER, 2] = rng.uniform(2, 10)
    style[L_ELBOW, 0] = -rng.uniform(5, 25)
    style[L_HIP, 2] = rng.uniform(1, 6)
    style[SPINE_MID, 0] = rng.uniform(-3, 6)
    style[NECK, 0] = rng.uniform(-5, 8)
    sided = np.array(NTU25_MIRROR) != np.arange(25)
    mirrored = style[list(NTU25_MIRROR)] * np.array([1.0, -1.0, -1.0])
    style[sided] += mirrored[sided]  # the right side copies the left
    return Body(offsets=NTU_REST_OFFSETS * scale[:, None], style=style)
