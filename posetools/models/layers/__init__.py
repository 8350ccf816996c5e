"""Building blocks shared by posetools backbones and necks."""
from posetools.models.layers.position_embedding import sinusoid_table
from posetools.models.layers.transformer_block import MultiheadSelfAttention, TransformerBlock

__all__ = ['MultiheadSelfAttention', 'TransformerBlock', 'sinusoid_table']
