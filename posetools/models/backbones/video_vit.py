"""A video ViT with tubelet embedding that can encode only the visible tokens (VideoMAE, MAE-ST)."""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

from posetools.models.layers import TransformerBlock, init_transformer_weights, sinusoid_table
from posetools.registry import MODELS

POS_EMBED_TYPES = ('sincos', 'separable')
OUT_TYPES = ('avg', 'tokens')


@MODELS.register_module()
class VideoViT(BaseModule):
    """Vision transformer over space-time tubelets.

    A Conv3d cuts the clip into ``T/t x H/p x W/p`` tubelets (tokens in ``(t, h, w)``
    order, as VideoMAE), position embeddings are added, and pre-LN blocks
    (``F.scaled_dot_product_attention``) follow. Given a mask the encoder runs on the
    visible tokens only, which is what makes MAE pretraining cheap.

    Two position-embedding styles: ``'sincos'``, VideoMAE's fixed sine-cosine table over
    all tokens (a buffer, not in the state dict), and ``'separable'``, MAE-ST's learned
    spatial + temporal embeddings.

    Output: ``out_type='avg'`` mean-pools the tokens and applies ``fc_norm`` (VideoMAE
    fine-tuning; (N, D)); ``'tokens'`` applies the final ``norm`` to every encoded token
    (MAE pretraining; (N, L_visible, D)).

    Args:
        img_size (int | tuple[int, int]): Input height and width. Defaults to 224.
        patch_size (int): Spatial tubelet size p. Defaults to 16.
        tubelet_size (int): Temporal tubelet size t. Defaults to 2.
        num_frames (int): Input frames T. Defaults to 16.
        in_channels (int): Input channels. Defaults to 3.
        embed_dims (int): Token width D (ViT-S 384, B 768, L 1024, H 1280). Defaults to 768.
        depth (int): Blocks (S/B 12, L 24, H 32). Defaults to 12.
        num_heads (int): Attention heads (S 6, B 12, L/H 16). Defaults to 12.
        mlp_ratio (float): MLP width multiple. Defaults to 4.
        qkv_bias (bool): Biases on q and v (and k unless ``qv_bias_only``). Defaults to True.
        qv_bias_only (bool): Separate q/v biases only, as VideoMAE. Defaults to True.
        drop_rate (float): Dropout on embeddings and projections. Defaults to 0.
        attn_drop_rate (float): Dropout on attention weights. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linear over blocks. Defaults to 0.
        layer_scale (float): Layer-scale initial value; 0 disables it. Defaults to 0.
        qk_norm (bool): LayerNorm on each head's queries and keys. Defaults to False.
        norm_eps (float): LayerNorm epsilon. Defaults to 1e-6 (VideoMAE).
        pos_embed_type (str): ``'sincos'`` or ``'separable'``. Defaults to ``'sincos'``.
        out_type (str): ``'avg'`` or ``'tokens'``. Defaults to ``'avg'``.
        init_cfg (dict | list[dict], optional): mmengine init config (e.g. ``Pretrained``).
            Defaults to None: VideoMAE's truncated-normal initialisation.
    """

    def __init__(self,
                 img_size: Union[int, Sequence[int]] = 224,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 num_frames: int = 16,
                 in_channels: int = 3,
                 embed_dims: int = 768,
                 depth: int = 12,
                 num_heads: int = 12,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 qv_bias_only: bool = True,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 layer_scale: float = 0.,
                 qk_norm: bool = False,
                 norm_eps: float = 1e-6,
                 pos_embed_type: str = 'sincos',
                 out_type: str = 'avg',
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if pos_embed_type not in POS_EMBED_TYPES:
            raise ValueError(f'pos_embed_type must be one of {POS_EMBED_TYPES}, '
                             f'got {pos_embed_type!r}')
        if out_type not in OUT_TYPES:
            raise ValueError(f'out_type must be one of {OUT_TYPES}, got {out_type!r}')
        height, width = (img_size, img_size) if isinstance(img_size, int) else img_size
        if height % patch_size or width % patch_size or num_frames % tubelet_size:
            raise ValueError(f'img_size {(height, width)} / num_frames {num_frames} are not '
                             f'divisible by patch_size {patch_size} / tubelet_size {tubelet_size}')
        self.input_size = (num_frames, height, width)
        self.grid_size = (num_frames // tubelet_size, height // patch_size, width // patch_size)
        self.embed_dims = embed_dims
        self.pos_embed_type = pos_embed_type
        self.out_type = out_type
        num_tokens = self.grid_size[0] * self.grid_size[1] * self.grid_size[2]

        self.patch_embed = nn.Conv3d(in_channels, embed_dims,
                                     kernel_size=(tubelet_size, patch_size, patch_size),
                                     stride=(tubelet_size, patch_size, patch_size))
        if pos_embed_type == 'sincos':
            self.register_buffer('pos_embed', sinusoid_table(num_tokens, embed_dims),
                                 persistent=False)
        else:
            self.pos_embed_spatial = nn.Parameter(
                torch.zeros(1, self.grid_size[1] * self.grid_size[2], embed_dims))
            self.pos_embed_temporal = nn.Parameter(torch.zeros(1, self.grid_size[0], embed_dims))
        self.pos_drop = nn.Dropout(drop_rate)
        drop_path_rates = torch.linspace(0, drop_path_rate, depth, device='cpu').tolist()
        self.blocks = nn.ModuleList([
            TransformerBlock(embed_dims, num_heads, mlp_ratio, qkv_bias, drop_rate,
                             attn_drop_rate, rate, qv_bias_only=qv_bias_only,
                             norm_eps=norm_eps, layer_scale=layer_scale, qk_norm=qk_norm)
            for rate in drop_path_rates
        ])
        if out_type == 'avg':
            self.fc_norm = nn.LayerNorm(embed_dims, eps=norm_eps)
        else:
            self.norm = nn.LayerNorm(embed_dims, eps=norm_eps)

    @property
    def num_tokens(self) -> int:
        """Tokens L of a full clip: T/t * H/p * W/p."""
        return self.grid_size[0] * self.grid_size[1] * self.grid_size[2]

    def init_weights(self) -> None:
        """VideoMAE's: truncated-normal (std 0.02) linears, unit LayerNorms; or ``init_cfg``."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        if self.pos_embed_type == 'separable':
            trunc_normal_(self.pos_embed_spatial, std=.02)
            trunc_normal_(self.pos_embed_temporal, std=.02)
        init_transformer_weights(self, 'trunc_normal')

    def position_embedding(self) -> torch.Tensor:
        """(1, L, D) position embedding of every token, in (t, h, w) order."""
        if self.pos_embed_type == 'sincos':
            return self.pos_embed
        spatial = self.pos_embed_spatial.repeat(1, self.grid_size[0], 1)
        temporal = self.pos_embed_temporal.repeat_interleave(
            self.grid_size[1] * self.grid_size[2], dim=1)
        return spatial + temporal

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Encode clips, only their visible tokens if a mask is given.

        Args:
            x (torch.Tensor): Clips (N, C, T, H, W).
            mask (torch.Tensor, optional): (N, L) bool, True where a token is masked; the
                same number of visible tokens in every sample. Defaults to None.

        Returns:
            torch.Tensor: (N, D) with ``out_type='avg'``, (N, L_visible, D) with ``'tokens'``.
        """
        self._check_input(x, mask)
        x = self.patch_embed(x).flatten(2).transpose(1, 2)  # (N, L, D), (t, h, w) order
        x = x + self.position_embedding().to(x.dtype)
        if mask is not None:
            x = x[~mask].reshape(x.shape[0], -1, self.embed_dims)  # (N, L_visible, D)
        x = self.pos_drop(x)
        for block in self.blocks:
            x = block(x)
        if self.out_type == 'avg':
            return self.fc_norm(x.mean(dim=1))
        return self.norm(x)

    def _check_input(self, x: torch.Tensor, mask: Optional[torch.Tensor]) -> None:
        if x.dim() != 5 or tuple(x.shape[2:]) != self.input_size:
            raise ValueError(
                f'VideoViT was built for (N, C, T, H, W) clips with (T, H, W) = '
                f'{self.input_size} but got {tuple(x.shape)}; set backbone.num_frames / '
                'img_size to match the pipeline (SampleFrames clip_len, crop size)')
        if mask is None:
            return
        if mask.shape != (x.shape[0], self.num_tokens) or mask.dtype != torch.bool:
            raise ValueError(f'mask must be a ({x.shape[0]}, {self.num_tokens}) bool tensor, got '
                             f'{tuple(mask.shape)} {mask.dtype}')
        visible = (~mask).sum(dim=1)
        if (visible != visible[0]).any():
            raise ValueError('every sample needs the same number of visible tokens, got '
                             f'{visible.tolist()}')
