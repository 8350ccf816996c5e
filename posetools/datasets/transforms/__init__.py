"""Registered data transforms (mmaction2's are used by scoped name, ``mmaction.X``)."""
from posetools.datasets.transforms.format_keypoint_clips import FormatKeypointClips
from posetools.datasets.transforms.generate_pose_target import GeneratePoseTarget
from posetools.datasets.transforms.load_clip_poses import LoadClipPoses
from posetools.datasets.transforms.pose_saliency import PoseSaliency
from posetools.datasets.transforms.pre_normalize_3d import PreNormalize3D
from posetools.datasets.transforms.random_rotate_3d import RandomRotate3D
from posetools.datasets.transforms.video_init import VideoInit

__all__ = [
    'FormatKeypointClips', 'GeneratePoseTarget', 'LoadClipPoses', 'PoseSaliency', 'PreNormalize3D',
    'RandomRotate3D', 'VideoInit'
]
