"""Building blocks shared by posetools backbones."""
from posetools.models.layers.transformer_block import MultiheadSelfAttention, TransformerBlock

__all__ = ['MultiheadSelfAttention', 'TransformerBlock']
