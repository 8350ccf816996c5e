"""Building blocks shared by posetools backbones and necks."""
from posetools.models.layers.position_embedding import sinusoid_table
from posetools.models.layers.transformer_block import MultiheadSelfAttention, TransformerBlock
from posetools.models.layers.weight_init import init_transformer_weights

__all__ = [
    'MultiheadSelfAttention', 'TransformerBlock', 'init_transformer_weights', 'sinusoid_table'
]
