"""The initialisation transformer codebases share: linears, zero biases, unit LayerNorms."""
import torch.nn as nn
from mmengine.model.weight_init import trunc_normal_


def init_transformer_weights(module: nn.Module, linear_init: str = 'trunc_normal') -> None:
    """Initialise every Linear and LayerNorm below ``module`` in place.

    Args:
        module (nn.Module): The module to walk.
        linear_init (str): ``'trunc_normal'`` (std 0.02: ViT, VideoMAE fine-tuning) or
            ``'xavier'`` (Xavier-uniform: MAE / VideoMAE pretraining). Biases are zeroed,
            LayerNorms set to weight 1, bias 0.
    """
    if linear_init not in ('trunc_normal', 'xavier'):
        raise ValueError(f"linear_init must be 'trunc_normal' or 'xavier', got {linear_init!r}")
    for child in module.modules():
        if isinstance(child, nn.Linear):
            if linear_init == 'xavier':
                nn.init.xavier_uniform_(child.weight)
            else:
                trunc_normal_(child.weight, std=.02)
            if child.bias is not None:
                nn.init.zeros_(child.bias)
        elif isinstance(child, nn.LayerNorm):
            nn.init.ones_(child.weight)
            nn.init.zeros_(child.bias)
