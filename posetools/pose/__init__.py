"""Pose extraction: video frames -> person boxes -> COCO-17 keypoints (extract_pose.py)."""
from posetools.pose.base import NUM_KEYPOINTS, PersonDetector, PoseEstimator
from posetools.pose.extraction import (BACKENDS, PoseExtractor, ResolutionChangeError,
                                       frames_without_person, read_frames)
from posetools.pose.mediapipe_backend import (BLAZEPOSE_TO_COCO17, MediaPipePersonDetector,
                                              MediaPipePoseEstimator, MediaPipePoseLandmarker)
from posetools.pose.mm_backend import MMDetPersonDetector, MMPoseTopDownEstimator
from posetools.pose.tracking import IoUTracker

__all__ = ['NUM_KEYPOINTS', 'PersonDetector', 'PoseEstimator',
           'BLAZEPOSE_TO_COCO17', 'MediaPipePersonDetector', 'MediaPipePoseEstimator',
           'MediaPipePoseLandmarker', 'MMDetPersonDetector', 'MMPoseTopDownEstimator',
           'BACKENDS', 'PoseExtractor', 'ResolutionChangeError', 'frames_without_person',
           'read_frames', 'IoUTracker']
