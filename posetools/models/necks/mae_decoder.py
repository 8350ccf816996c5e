"""The MAE decoder: visible-token features plus mask tokens in, masked-token pixels out."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

from posetools.models.layers import TransformerBlock, init_transformer_weights, sinusoid_table
from posetools.registry import MODELS


@MODELS.register_module()
class MAEDecoder(BaseModule):
    """VideoMAE's pretraining decoder.

    The encoder's visible tokens are projected to the decoder width (``decoder_embed``),
    a shared learned ``mask_token`` stands in for every masked token, both get the fixed
    sine-cosine position of their token, and a few pre-LN blocks run on the visible
    tokens followed by the masked ones. Only the masked tokens are normalised and
    projected (``pred``) to pixels.

    Args:
        num_tokens (int): Tokens L of a full clip (T/t * H/p * W/p; ViT-B 16x224: 1568).
        in_dims (int): Encoder width. Defaults to 768.
        embed_dims (int): Decoder width. Defaults to 384 (VideoMAE ViT-B).
        depth (int): Decoder blocks. Defaults to 4.
        num_heads (int): Attention heads. Defaults to 6.
        mlp_ratio (float): MLP width multiple. Defaults to 4.
        out_dims (int): Pixels per token, t * p * p * C. Defaults to 1536 (2 x 16 x 16 x 3).
        qkv_bias (bool): q/v biases. Defaults to True.
        qv_bias_only (bool): Separate q/v biases only, as VideoMAE. Defaults to True.
        drop_path_rate (float): Stochastic depth, linear over blocks. Defaults to 0.
        layer_scale (float): Layer-scale initial value; 0 disables it. Defaults to 0.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6.
        init_cfg (dict | list[dict], optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 num_tokens: int,
                 in_dims: int = 768,
                 embed_dims: int = 384,
                 depth: int = 4,
                 num_heads: int = 6,
                 mlp_ratio: float = 4.,
                 out_dims: int = 1536,
                 qkv_bias: bool = True,
                 qv_bias_only: bool = True,
                 drop_path_rate: float = 0.,
                 layer_scale: float = 0.,
                 norm_eps: float = 1e-6,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_tokens = num_tokens
        self.decoder_embed = nn.Linear(in_dims, embed_dims, bias=False)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, embed_dims))
        self.register_buffer('pos_embed', sinusoid_table(num_tokens, embed_dims),
                             persistent=False)
        drop_path_rates = torch.linspace(0, drop_path_rate, depth, device='cpu').tolist()
        self.blocks = nn.ModuleList([
            TransformerBlock(embed_dims, num_heads, mlp_ratio, qkv_bias, drop_path=rate,
                             qv_bias_only=qv_bias_only, norm_eps=norm_eps,
                             layer_scale=layer_scale) for rate in drop_path_rates
        ])
        self.norm = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.pred = nn.Linear(embed_dims, out_dims)

    def init_weights(self) -> None:
        """VideoMAE's pretraining init: Xavier-uniform linears, mask token N(0, 0.02)."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        trunc_normal_(self.mask_token, std=.02)
        init_transformer_weights(self, 'xavier')

    def forward(self, visible: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Predict the pixels of the masked tokens.

        Args:
            visible (torch.Tensor): Encoder features of the visible tokens (N, L_vis, D_in),
                in token order.
            mask (torch.Tensor): (N, L) bool, True where masked.

        Returns:
            torch.Tensor: (N, L_masked, out_dims) predictions, masked tokens in token order.
        """
        batch = visible.shape[0]
        if mask.shape != (batch, self.num_tokens):
            raise ValueError(f'MAEDecoder was built for {self.num_tokens} tokens, got a mask '
                             f'of shape {tuple(mask.shape)}')
        visible = self.decoder_embed(visible)  # (N, L_vis, D)
        pos_embed = self.pos_embed.to(visible.dtype).expand(batch, -1, -1)  # (N, L, D)
        dims = visible.shape[-1]
        pos_visible = pos_embed[~mask].reshape(batch, -1, dims)
        pos_masked = pos_embed[mask].reshape(batch, -1, dims)
        x = torch.cat([visible + pos_visible, self.mask_token + pos_masked], dim=1)  # (N, L, D)
        for block in self.blocks:
            x = block(x)
        num_masked = pos_masked.shape[1]
        return self.pred(self.norm(x[:, -num_masked:]))  # (N, L_masked, out_dims)
