"""Token maskers for masked-autoencoder pretraining (registry ``posetools.registry.MASKERS``)."""
from posetools.models.maskers.base_masker import BaseMasker
from posetools.models.maskers.directed_masker import DirectedMasker
from posetools.models.maskers.motion_masker import MotionMasker
from posetools.models.maskers.motion_saliency import motion_saliency
from posetools.models.maskers.random_masker import RandomMasker
from posetools.models.maskers.running_cell_masker import RunningCellMasker
from posetools.models.maskers.tube_masker import TubeMasker

__all__ = [
    'BaseMasker', 'DirectedMasker', 'MotionMasker', 'RandomMasker', 'RunningCellMasker',
    'TubeMasker', 'motion_saliency'
]
