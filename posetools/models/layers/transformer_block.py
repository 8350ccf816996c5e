"""A minGPT-style pre-LN transformer block (no causal mask) shared by posetools backbones."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import StochasticDepth


class MultiheadSelfAttention(nn.Module):
    """Multi-head self-attention on ``F.scaled_dot_product_attention``.

    Args:
        embed_dims (int): Token width D.
        num_heads (int): Number of heads; must divide ``embed_dims``.
        qkv_bias (bool): Bias on the fused q/k/v projection. Defaults to True.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        proj_drop (float): Dropout after the output projection. Defaults to 0.
        qv_bias_only (bool): With ``qkv_bias``, learn only the q and v biases, as separate
            ``q_bias`` / ``v_bias`` parameters (VideoMAE / BEiT; k's bias would cancel in the
            softmax anyway). Defaults to False.
        qk_norm (bool): LayerNorm each head's queries and keys before the dot product
            (ViT-22B; timm's ``qk_norm``), which bounds the attention logits. Defaults to False.
        norm_eps (float): Epsilon of those LayerNorms. Defaults to 1e-6.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 qkv_bias: bool = True,
                 attn_drop: float = 0.,
                 proj_drop: float = 0.,
                 qv_bias_only: bool = False,
                 qk_norm: bool = False,
                 norm_eps: float = 1e-6) -> None:
        super().__init__()
        if embed_dims % num_heads != 0:
            raise ValueError(f'embed_dims={embed_dims} is not divisible by num_heads={num_heads}')
        self.num_heads = num_heads
        self.attn_drop = attn_drop
        self.qkv = nn.Linear(embed_dims, 3 * embed_dims, bias=qkv_bias and not qv_bias_only)
        if qkv_bias and qv_bias_only:
            self.q_bias = nn.Parameter(torch.zeros(embed_dims))
            self.v_bias = nn.Parameter(torch.zeros(embed_dims))
        else:
            self.q_bias = self.v_bias = None
        head_dims = embed_dims // num_heads
        self.q_norm = nn.LayerNorm(head_dims, eps=norm_eps) if qk_norm else nn.Identity()
        self.k_norm = nn.LayerNorm(head_dims, eps=norm_eps) if qk_norm else nn.Identity()
        self.proj = nn.Linear(embed_dims, embed_dims)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x: torch.Tensor, attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, L, D) -> (B, L, D)."""
        batch, length, dims = x.shape
        if self.q_bias is None:
            qkv = self.qkv(x)
        else:
            bias = torch.cat([self.q_bias, torch.zeros_like(self.q_bias), self.v_bias])
            qkv = F.linear(x, self.qkv.weight, bias)
        # (B, L, 3D) -> (3, B, H, L, D/H)
        qkv = qkv.view(batch, length, 3, self.num_heads, dims // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        q, k = self.q_norm(q), self.k_norm(k)
        x = F.scaled_dot_product_attention(
            q, k, v, attn_mask=attn_mask, dropout_p=self.attn_drop if self.training else 0.)
        x = x.transpose(1, 2).reshape(batch, length, dims)  # (B, L, D)
        return self.proj_drop(self.proj(x))


class TransformerBlock(nn.Module):
    """Pre-LN block: ``x + attn(ln(x))`` then ``x + mlp(ln(x))``, each through drop path.

    Args:
        embed_dims (int): Token width D.
        num_heads (int): Attention heads.
        mlp_ratio (float): Hidden width of the MLP as a multiple of D. Defaults to 4.
        qkv_bias (bool): Bias on q/k/v. Defaults to True.
        drop (float): Dropout after attention and MLP projections. Defaults to 0.
        attn_drop (float): Dropout on attention weights. Defaults to 0.
        drop_path (float): Stochastic-depth rate of this block. Defaults to 0.
        qv_bias_only (bool): q and v biases only (see ``MultiheadSelfAttention``).
            Defaults to False.
        norm_eps (float): LayerNorm epsilon (VideoMAE: 1e-6). Defaults to 1e-5.
        layer_scale (float): Initial value of the per-channel layer-scale factors
            ``ls_1`` / ``ls_2`` on both branches (CaiT); 0 means no layer scale.
            Defaults to 0.
        qk_norm (bool): LayerNorm on each head's queries and keys (see
            ``MultiheadSelfAttention``). Defaults to False.
    """

    def __init__(self,
                 embed_dims: int,
                 num_heads: int,
                 mlp_ratio: float = 4.,
                 qkv_bias: bool = True,
                 drop: float = 0.,
                 attn_drop: float = 0.,
                 drop_path: float = 0.,
                 qv_bias_only: bool = False,
                 norm_eps: float = 1e-5,
                 layer_scale: float = 0.,
                 qk_norm: bool = False) -> None:
        super().__init__()
        hidden_dims = int(embed_dims * mlp_ratio)
        self.ln_1 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.attn = MultiheadSelfAttention(embed_dims, num_heads, qkv_bias, attn_drop, drop,
                                           qv_bias_only, qk_norm, norm_eps)
        self.ln_2 = nn.LayerNorm(embed_dims, eps=norm_eps)
        self.mlp = nn.Sequential(
            nn.Linear(embed_dims, hidden_dims),
            nn.GELU(),
            nn.Linear(hidden_dims, embed_dims),
            nn.Dropout(drop),
        )
        self.drop_path = StochasticDepth(drop_path, mode='row')
        if layer_scale > 0:
            self.ls_1 = nn.Parameter(torch.full((embed_dims, ), float(layer_scale)))
            self.ls_2 = nn.Parameter(torch.full((embed_dims, ), float(layer_scale)))
        else:
            self.ls_1 = self.ls_2 = None

    def forward(self, x: torch.Tensor, attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, L, D) -> (B, L, D)."""
        attn = self.attn(self.ln_1(x), attn_mask)
        if self.ls_1 is not None:
            attn = self.ls_1 * attn
        x = x + self.drop_path(attn)
        mlp = self.mlp(self.ln_2(x))
        if self.ls_2 is not None:
            mlp = self.ls_2 * mlp
        return x + self.drop_path(mlp)
