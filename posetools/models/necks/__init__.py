"""Registered necks."""
from posetools.models.necks.mae_decoder import MAEDecoder

__all__ = ['MAEDecoder']
