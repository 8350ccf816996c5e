"""Datasets, annotation converters and the SynthAction generator."""
from posetools.datasets.ntu_raw import (NTUSample, NTUSampleNameError, NTUSkeletonFormatError,
                                        convert_ntu_skeletons, load_ntu_sample)
from posetools.datasets.pose_video_dataset import PoseVideoDataset
from posetools.datasets.robust_video_dataset import (RobustVideoDataset, VideoFolderError,
                                                     VideoListError)
from posetools.datasets.transforms import LoadClipPoses, PoseSaliency, PreNormalize3D, VideoInit
from posetools.datasets.validated_pose_dataset import AnnotationError, ValidatedPoseDataset
from posetools.datasets.video_io import VideoReadError

__all__ = [
    'AnnotationError', 'ValidatedPoseDataset', 'NTUSample', 'NTUSampleNameError',
    'NTUSkeletonFormatError', 'convert_ntu_skeletons', 'load_ntu_sample', 'LoadClipPoses',
    'PoseSaliency', 'PoseVideoDataset', 'PreNormalize3D', 'RobustVideoDataset', 'VideoFolderError',
    'VideoListError', 'VideoInit', 'VideoReadError'
]
