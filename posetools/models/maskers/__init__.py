"""Token maskers for masked-autoencoder pretraining (registry ``posetools.registry.MASKERS``)."""
from posetools.models.maskers.base_masker import BaseMasker
from posetools.models.maskers.random_masker import RandomMasker
from posetools.models.maskers.tube_masker import TubeMasker

__all__ = ['BaseMasker', 'RandomMasker', 'TubeMasker']
