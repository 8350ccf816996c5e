"""Datasets, data transforms and the SynthAction generator."""
from posetools.datasets.validated_pose_dataset import AnnotationError, ValidatedPoseDataset

__all__ = ['AnnotationError', 'ValidatedPoseDataset']
