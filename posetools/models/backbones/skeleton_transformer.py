"""A transformer encoder over skeleton tokens (joints or frames) for action recognition."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_

from posetools.models.layers import TransformerBlock, init_transformer_weights
from posetools.registry import MODELS

TOKEN_MODES = ('joint', 'frame')


@MODELS.register_module()
class SkeletonTransformer(BaseModule):
    """Transformer encoder for skeleton sequences in mmaction2's GCN input layout.

    Each person's sequence is cut into ``num_frames // temporal_patch_size`` temporal
    patches. With ``token_mode='joint'`` every (patch, joint) pair is a token
    (``T' * V`` tokens, spatial + temporal position embeddings); with
    ``token_mode='frame'`` every patch of whole-body poses is one token (``T'`` tokens,
    temporal position embedding only), which is much cheaper. Blocks are minGPT-style
    pre-LN without a causal mask. Token features are mean-pooled per person, then
    averaged over the persons that are present. All-zero persons (the padding of
    ``FormatGCNInput``) are not encoded at all, which saves their compute.

    Args:
        num_joints (int): Joints per person V. Defaults to 25 (NTU RGB+D).
        in_channels (int): Channels per joint C (3 for 3D joints). Defaults to 3.
        num_frames (int): Frames per clip T the position table is built for.
            Defaults to 100.
        token_mode (str): ``'joint'`` or ``'frame'``. Defaults to ``'joint'``.
        temporal_patch_size (int): Frames merged into one token. Defaults to 1.
        embed_dims (int): Token width D. Defaults to 256.
        depth (int): Number of blocks. Defaults to 8.
        num_heads (int): Attention heads. Defaults to 8.
        mlp_ratio (float): MLP width multiple. Defaults to 4.
        qkv_bias (bool): Bias on q/k/v. Defaults to True.
        drop_rate (float): Dropout on embeddings and projections. Defaults to 0.
        attn_drop_rate (float): Dropout on attention weights. Defaults to 0.
        drop_path_rate (float): Stochastic depth, linearly increasing over blocks.
            Defaults to 0.1.
        init_cfg (dict or list[dict], optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 num_joints: int = 25,
                 in_channels: int = 3,
                 num_frames: int = 100,
                 token_mode: str = 'joint',
                 temporal_patch_size: int = 1,
                 embed_dims: int = 256,
                 depth: int = 8,
                 num_heads: int = 8,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop_rate: float = 0.,
                 attn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.1,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if token_mode not in TOKEN_MODES:
            raise ValueError(f'token_mode must be one of {TOKEN_MODES}, got {token_mode!r}')
        if num_frames % temporal_patch_size != 0:
            raise ValueError(f'num_frames={num_frames} is not divisible by '
                             f'temporal_patch_size={temporal_patch_size}')
        self.num_joints = num_joints
        self.in_channels = in_channels
        self.num_frames = num_frames
        self.token_mode = token_mode
        self.temporal_patch_size = temporal_patch_size
        self.embed_dims = embed_dims

        num_patches = num_frames // temporal_patch_size
        if token_mode == 'joint':
            token_in = temporal_patch_size * in_channels
            self.spatial_pos_embed = nn.Parameter(torch.zeros(1, 1, num_joints, embed_dims))
        else:
            token_in = temporal_patch_size * num_joints * in_channels
            self.spatial_pos_embed = None
        self.token_embed = nn.Linear(token_in, embed_dims)
        self.temporal_pos_embed = nn.Parameter(torch.zeros(1, num_patches, 1, embed_dims))
        self.pos_drop = nn.Dropout(drop_rate)

        drop_path_rates = torch.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList([
            TransformerBlock(embed_dims, num_heads, mlp_ratio, qkv_bias, drop_rate,
                             attn_drop_rate, rate) for rate in drop_path_rates
        ])
        self.norm = nn.LayerNorm(embed_dims)

    def init_weights(self) -> None:
        """Truncated-normal (std 0.02) linears and position tables, unit LayerNorms."""
        if self.init_cfg is not None:
            super().init_weights()
            return
        trunc_normal_(self.temporal_pos_embed, std=.02)
        if self.spatial_pos_embed is not None:
            trunc_normal_(self.spatial_pos_embed, std=.02)
        init_transformer_weights(self, 'trunc_normal')

    def _check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 5:
            raise ValueError('SkeletonTransformer expects (N, M, T, V, C) skeletons, '
                             f'got a tensor of shape {tuple(x.shape)}')
        _, _, frames, joints, channels = x.shape
        if joints != self.num_joints or channels != self.in_channels:
            raise ValueError(
                f'SkeletonTransformer was built for {self.num_joints} joints x '
                f'{self.in_channels} channels but got {joints} x {channels} '
                f'(input shape {tuple(x.shape)}); set backbone.num_joints / in_channels '
                'to match the annotation file')
        if frames != self.num_frames:
            raise ValueError(
                f'SkeletonTransformer was built for num_frames={self.num_frames} but got '
                f'clips of {frames} frames; make UniformSampleFrames.clip_len match')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode skeleton clips.

        Args:
            x (torch.Tensor): Skeletons of shape (N, M, T, V, C).

        Returns:
            torch.Tensor: Clip features of shape (N, D).
        """
        self._check_input(x)
        batch, persons, frames, joints, channels = x.shape
        present = x.flatten(2).abs().sum(-1) > 0  # (N, M); all-zero persons are padding
        patch = self.temporal_patch_size
        # only present persons are encoded: (P, T', p, V, C)
        x = x.flatten(0, 1)[present.flatten()]
        x = x.reshape(-1, frames // patch, patch, joints, channels)
        if self.token_mode == 'joint':
            x = x.permute(0, 1, 3, 2, 4).flatten(3)  # (P, T', V, p*C)
            x = self.token_embed(x) + self.temporal_pos_embed + self.spatial_pos_embed
        else:
            x = x.flatten(2).unsqueeze(2)  # (P, T', 1, p*V*C)
            x = self.token_embed(x) + self.temporal_pos_embed
        x = self.pos_drop(x.flatten(1, 2))  # (P, L, D)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x).mean(dim=1)  # (P, D)
        mask = present.flatten().unsqueeze(-1)  # (N*M, 1)
        per_person = x.new_zeros(batch * persons, self.embed_dims).masked_scatter(mask, x)
        per_person = per_person.view(batch, persons, -1)  # (N, M, D), zeros where absent
        counts = present.sum(dim=1, keepdim=True).clamp(min=1).to(x.dtype)  # (N, 1)
        return per_person.sum(dim=1) / counts  # (N, D)
