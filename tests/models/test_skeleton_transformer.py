"""SkeletonTransformer and its blocks against independent computations."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from posetools.models import SkeletonTransformer
from posetools.models.layers import MultiheadSelfAttention, TransformerBlock
from posetools.registry import MODELS


def test_attention_equals_torch_multihead_attention():
    torch.manual_seed(0)
    ours = MultiheadSelfAttention(embed_dims=16, num_heads=4).eval()
    reference = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    with torch.no_grad():
        reference.in_proj_weight.copy_(ours.qkv.weight)
        reference.in_proj_bias.copy_(ours.qkv.bias)
        reference.out_proj.weight.copy_(ours.proj.weight)
        reference.out_proj.bias.copy_(ours.proj.bias)
    x = torch.randn(3, 7, 16)
    expected, _ = reference(x, x, x, need_weights=False)
    torch.testing.assert_close(ours(x), expected, atol=1e-6, rtol=1e-5)


def test_block_is_pre_ln_residual():
    torch.manual_seed(0)
    block = TransformerBlock(embed_dims=8, num_heads=2, mlp_ratio=2.).eval()
    x = torch.randn(2, 5, 8)
    hidden = x + block.attn(F.layer_norm(x, (8,), block.ln_1.weight, block.ln_1.bias))
    mlp = block.mlp
    normed = F.layer_norm(hidden, (8,), block.ln_2.weight, block.ln_2.bias)
    expected = hidden + mlp[2](F.gelu(mlp[0](normed)))
    torch.testing.assert_close(block(x), expected)


def test_attention_rejects_indivisible_heads():
    with pytest.raises(ValueError, match='not divisible by num_heads'):
        MultiheadSelfAttention(embed_dims=10, num_heads=3)


def build(**kwargs) -> SkeletonTransformer:
    args = dict(num_joints=5, in_channels=3, num_frames=8, embed_dims=16, depth=2, num_heads=2,
                drop_path_rate=0.)
    args.update(kwargs)
    model = SkeletonTransformer(**args)
    model.init_weights()
    return model.eval()


@pytest.mark.parametrize('token_mode', ['joint', 'frame'])
@pytest.mark.parametrize('patch', [1, 4])
def test_output_shape(token_mode, patch):
    model = build(token_mode=token_mode, temporal_patch_size=patch)
    assert model(torch.randn(3, 2, 8, 5, 3)).shape == (3, 16)


def loop_tokens(x: torch.Tensor, patch: int, token_mode: str) -> torch.Tensor:
    """Token vectors of one person (T, V, C) built element by element: (L, token_in)."""
    frames, joints, channels = x.shape
    tokens = []
    for start in range(0, frames, patch):
        if token_mode == 'joint':
            for joint in range(joints):
                tokens.append([x[start + i, joint, c] for i in range(patch) for c in range(channels)])
        else:
            tokens.append([x[start + i, joint, c] for i in range(patch) for joint in range(joints)
                           for c in range(channels)])
    return torch.tensor(tokens)


@pytest.mark.parametrize('token_mode', ['joint', 'frame'])
def test_tokens_and_position_embeddings_without_blocks(token_mode):
    """depth=0: output = mean over tokens of LN(W token + b + pos)."""
    torch.manual_seed(0)
    model = build(token_mode=token_mode, temporal_patch_size=2, depth=0)
    x = torch.randn(1, 1, 8, 5, 3)
    tokens = loop_tokens(x[0, 0], 2, token_mode)
    embedded = tokens @ model.token_embed.weight.T + model.token_embed.bias
    positions = model.temporal_pos_embed[0, :, 0]  # (T', D)
    if token_mode == 'joint':
        positions = positions[:, None] + model.spatial_pos_embed[0, 0][None]  # (T', V, D)
    expected = model.norm(embedded + positions.reshape(-1, 16)).mean(0)
    torch.testing.assert_close(model(x)[0], expected, atol=1e-5, rtol=1e-5)


def test_padded_persons_are_ignored_and_persons_averaged():
    torch.manual_seed(0)
    model = build()
    first, second = torch.randn(2, 1, 1, 8, 5, 3)
    padded = torch.cat([first, torch.zeros_like(first)], dim=1)
    torch.testing.assert_close(model(padded), model(first))
    both = torch.cat([first, second], dim=1)
    torch.testing.assert_close(model(both), (model(first) + model(second)) / 2)


@pytest.mark.parametrize('shape, message', [
    ((2, 1, 8, 17, 3), 'built for 5 joints x 3 channels but got 17 x 3'),
    ((2, 1, 8, 5, 2), 'built for 5 joints x 3 channels but got 5 x 2'),
    ((2, 1, 12, 5, 3), 'num_frames=8 but got clips of 12 frames'),
    ((2, 8, 5, 3), r'expects \(N, M, T, V, C\)'),
])
def test_bad_input_shapes_raise_clear_errors(shape, message):
    with pytest.raises(ValueError, match=message):
        build()(torch.randn(shape))


def test_bad_arguments():
    with pytest.raises(ValueError, match='token_mode'):
        SkeletonTransformer(token_mode='pixel')
    with pytest.raises(ValueError, match='not divisible by temporal_patch_size'):
        SkeletonTransformer(num_frames=10, temporal_patch_size=4)


def test_registered_in_posetools_scope():
    model = MODELS.build(dict(type='SkeletonTransformer', num_frames=8, embed_dims=8, depth=1,
                              num_heads=2))
    assert isinstance(model, SkeletonTransformer)


def test_drop_path_only_in_training():
    model = build(drop_path_rate=0.5, drop_rate=0.2)
    x = torch.randn(4, 1, 8, 5, 3)
    torch.testing.assert_close(model(x), model(x))
    model.train()
    torch.manual_seed(1)
    first = model(x)
    torch.manual_seed(2)
    assert not torch.allclose(first, model(x))
