"""The one definition of the COCO-17 and NTU-25 skeletons: bones, body sides, parents.

Everything that needs a topology reads it here: the heatmap transform and preprocessor,
the SynthAction generator, the skeleton drawings and the configs
(``tests/test_skeletons.py`` checks that no other copy exists).

COCO-17 (2D keypoints of the COCO keypoint task, mmpose and pyskl): nose, left/right eye,
left/right ear, then left/right shoulder, elbow, wrist, hip, knee and ankle; "left" is the
person's own left. Limbs and sides are mmaction2 1.2's ``GeneratePoseTarget`` defaults
(``mmaction/datasets/transforms/pose_transforms.py``: ``skeletons``, ``left_kp``,
``right_kp``, ``left_limb``, ``right_limb``), PoseConv3D's COCO-17p definition.

NTU-25 (3D joints of NTU RGB+D, Shahroudy et al. 2016, in Kinect v2 order; names in
:data:`posetools.datasets.synth.skeleton.NTU_JOINT_NAMES`): the parents are the Kinect v2
SDK's bone hierarchy (its BodyBasics sample), rooted at SpineBase, with the hand tips on
the hands and the thumbs on the wrists. mmaction2 links those four joints differently,
and not consistently: ``JointToBone('nturgb+d')`` chains HandTip -> Thumb -> Hand and
``Graph('nturgb+d')`` hangs both HandTip and Thumb on the Hand; every other bone is the
same in all three.
"""
from typing import List, Sequence, Tuple

Edges = Tuple[Tuple[int, int], ...]

COCO17_LIMBS: Edges = ((0, 1), (0, 2), (1, 3), (2, 4), (0, 5), (5, 7), (7, 9), (0, 6), (6, 8),
                       (8, 10), (5, 11), (11, 13), (13, 15), (6, 12), (12, 14), (14, 16),
                       (11, 12))
"""The 17 COCO-17 limbs (keypoint pairs), in the channel order of mmaction2's limb heatmaps."""

COCO17_LEFT: Tuple[int, ...] = (1, 3, 5, 7, 9, 11, 13, 15)
"""Left-side COCO-17 keypoints; ``COCO17_RIGHT[i]`` is the mirror image of ``COCO17_LEFT[i]``."""
COCO17_RIGHT: Tuple[int, ...] = (2, 4, 6, 8, 10, 12, 14, 16)
"""Right-side COCO-17 keypoints."""

COCO17_LEFT_LIMBS: Tuple[int, ...] = (0, 2, 4, 5, 6, 10, 11, 12)
"""Indices into :data:`COCO17_LIMBS` of the left limbs (a left keypoint and no right one)."""
COCO17_RIGHT_LIMBS: Tuple[int, ...] = (1, 3, 7, 8, 9, 13, 14, 15)
"""Indices into :data:`COCO17_LIMBS` of the mirror images of :data:`COCO17_LEFT_LIMBS`."""

COCO17_RECIPE_LIMBS: Edges = ((0, 5), (0, 6), (5, 7), (7, 9), (6, 8), (8, 10), (5, 11), (11, 13),
                              (13, 15), (6, 12), (12, 14), (14, 16), (0, 1), (0, 2), (1, 3),
                              (2, 4), (11, 12))
""":data:`COCO17_LIMBS` in the channel order of mmaction2's (and pyskl's) limb-heatmap recipe,
``slowonly_r50_8xb16-u48-240e_ntu60-xsub-limb.py``, which its checkpoints expect."""
COCO17_RECIPE_LEFT_LIMBS: Tuple[int, ...] = (0, 2, 3, 6, 7, 8, 12, 14)
"""Indices into :data:`COCO17_RECIPE_LIMBS` of the left limbs (that recipe's ``left_limb``)."""
COCO17_RECIPE_RIGHT_LIMBS: Tuple[int, ...] = (1, 4, 5, 9, 10, 11, 13, 15)
"""Indices into :data:`COCO17_RECIPE_LIMBS` of the right limbs (its ``right_limb``)."""

NTU25_PARENTS: Tuple[int, ...] = (-1, 0, 20, 2, 20, 4, 5, 6, 20, 8, 9, 10, 0, 12, 13, 14, 0, 16,
                                  17, 18, 1, 7, 6, 11, 10)
"""Kinematic parent of every NTU-25 joint (``-1`` for the root, SpineBase)."""

NTU25_BONES: Edges = tuple((joint, parent) for joint, parent in enumerate(NTU25_PARENTS)
                           if parent >= 0)
"""The 24 NTU-25 bones as (joint, parent) pairs."""

NTU25_LEFT: Tuple[int, ...] = (4, 5, 6, 7, 12, 13, 14, 15, 21, 22)
"""Left-side NTU-25 joints (arm, leg, hand tip, thumb); ``NTU25_RIGHT[i]`` mirrors
``NTU25_LEFT[i]``."""
NTU25_RIGHT: Tuple[int, ...] = (8, 9, 10, 11, 16, 17, 18, 19, 23, 24)
"""Right-side NTU-25 joints."""


def flip_permutation(size: int, left: Sequence[int], right: Sequence[int]) -> List[int]:
    """Index order of a mirrored skeleton (or heatmap channels): ``left[i]`` and ``right[i]``
    swapped, every other index kept."""
    order = list(range(size))
    for left_index, right_index in zip(left, right):
        order[left_index], order[right_index] = right_index, left_index
    return order


NTU25_MIRROR: Tuple[int, ...] = tuple(flip_permutation(len(NTU25_PARENTS), NTU25_LEFT,
                                                       NTU25_RIGHT))
"""The NTU-25 joint each joint becomes when the body is mirrored (an involution)."""
