"""Skeleton drawing: the COCO-17 and NTU-25 topologies, on matplotlib axes or into images."""
from typing import FrozenSet, NamedTuple, Optional, Tuple

import cv2
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb

from posetools.structures.skeletons import (COCO17_LEFT, COCO17_LIMBS, COCO17_RIGHT, NTU25_BONES,
                                            NTU25_LEFT, NTU25_RIGHT)

LEFT_COLOR = 'tab:red'
"""Bones of the person's left side."""
RIGHT_COLOR = 'tab:blue'
"""Bones of the person's right side."""
CENTRE_COLOR = 'gray'
"""Bones that join both sides or the trunk."""


class SkeletonTopology(NamedTuple):
    """Bones of a skeleton and the joints of each body side.

    Attributes:
        edges: Joint index pairs, one per bone.
        left: Indices of the person's left-side joints.
        right: Indices of the person's right-side joints.
    """

    edges: Tuple[Tuple[int, int], ...]
    left: FrozenSet[int]
    right: FrozenSet[int]

    @property
    def num_joints(self) -> int:
        """Joints the edges refer to (the highest index + 1)."""
        return max(max(edge) for edge in self.edges) + 1

    def edge_color(self, a: int, b: int) -> str:
        """Matplotlib colour of bone ``(a, b)``: left, right or centre."""
        if a in self.left and b in self.left:
            return LEFT_COLOR
        if a in self.right and b in self.right:
            return RIGHT_COLOR
        return CENTRE_COLOR


COCO17 = SkeletonTopology(edges=COCO17_LIMBS, left=frozenset(COCO17_LEFT),
                          right=frozenset(COCO17_RIGHT))
"""COCO-17 keypoints (SynthAction's 2D pkl and videos, mmpose, pyskl's 2D skeletons), drawn
with the heatmap limbs."""

NTU25 = SkeletonTopology(edges=NTU25_BONES, left=frozenset(NTU25_LEFT),
                         right=frozenset(NTU25_RIGHT))
"""NTU RGB+D (Kinect v2) 25 joints, the kinematic tree of SynthAction's 3D skeleton."""


def topology_for(num_joints: int) -> Optional[SkeletonTopology]:
    """The topology of skeletons with ``num_joints`` joints (17: COCO, 25: NTU), else None."""
    return {COCO17.num_joints: COCO17, NTU25.num_joints: NTU25}.get(num_joints)


def draw_skeleton(ax: Axes, points: np.ndarray, topology: SkeletonTopology,
                  alpha: float = 1.0, visible: Optional[np.ndarray] = None,
                  linewidth: float = 1.2, markersize: float = 2) -> None:
    """Draw one skeleton on matplotlib axes; the person's left side red, right blue.

    Args:
        ax: The axes, in the points' coordinates.
        points: (J, 2) joint coordinates.
        topology: Its bones and sides.
        alpha: Opacity.
        visible: Optional (J,) bool: joints to draw (e.g. keypoint score > 0); bones need
            both ends. Defaults to all.
        linewidth: Bone width in points.
        markersize: Joint marker size in points.
    """
    visible = np.ones(len(points), bool) if visible is None else np.asarray(visible, bool)
    for a, b in topology.edges:
        if visible[a] and visible[b]:
            ax.plot(points[[a, b], 0], points[[a, b], 1], '-', color=topology.edge_color(a, b),
                    lw=linewidth, alpha=alpha)
    ax.plot(points[visible, 0], points[visible, 1], 'k.', ms=markersize, alpha=alpha)


def draw_skeleton_on_image(image: np.ndarray, points: np.ndarray, topology: SkeletonTopology,
                           visible: Optional[np.ndarray] = None,
                           thickness: int = 1) -> np.ndarray:
    """A copy of ``image`` with one skeleton drawn into it (anti-aliased cv2 lines).

    Args:
        image: (H, W, 3) uint8 RGB image.
        points: (J, 2) joint pixel coordinates, pixel centres at integers.
        topology: Its bones and sides.
        visible: Optional (J,) bool: joints to draw; bones need both ends. Defaults to all.
        thickness: Bone width in pixels.

    Returns:
        (H, W, 3) uint8 RGB image.
    """
    out = np.ascontiguousarray(image, dtype=np.uint8).copy()
    visible = np.ones(len(points), bool) if visible is None else np.asarray(visible, bool)
    fixed = np.round(np.asarray(points, np.float64) * 16).astype(np.int64)  # 4 fraction bits
    for a, b in topology.edges:
        if visible[a] and visible[b]:
            color = tuple(int(255 * c) for c in to_rgb(topology.edge_color(a, b)))
            cv2.line(out, tuple(map(int, fixed[a])), tuple(map(int, fixed[b])), color,
                     thickness, cv2.LINE_AA, shift=4)
    for joint in np.flatnonzero(visible):
        cv2.circle(out, tuple(map(int, fixed[joint])), (thickness + 1) * 8, (0, 0, 0), -1,
                   cv2.LINE_AA, shift=4)
    return out
