"""VideoViT: mmaction2's VisionTransformer outputs from converted weights, masks, shapes."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from posetools.compat import load_from_local_weights_only
from posetools.models import VideoViT  # first: posetools patches the mmaction2 wheel
from posetools.models.layers import sinusoid_table
from tests.helpers import REPO_ROOT, run_tool

from mmaction.models.backbones.vit_mae import get_sinusoid_encoding  # noqa: E402  isort: skip

SMALL = dict(img_size=32, patch_size=16, tubelet_size=2, num_frames=4, embed_dims=64, depth=2,
             num_heads=4)


def recognizer(backbone: dict, num_classes: int = 5) -> torch.nn.Module:
    init_default_scope('posetools')
    return MODELS.build(dict(
        type='mmaction.Recognizer3D', backbone=backbone,
        data_preprocessor=dict(type='mmaction.ActionDataPreprocessor', format_shape='NCTHW'),
        cls_head=dict(type='mmaction.TimeSformerHead', num_classes=num_classes, in_channels=64,
                      average_clips='prob', loss_cls=dict(type='mmaction.CrossEntropyLoss'))))


@pytest.mark.parametrize('layer_scale', [0., 0.1])
def test_converted_mmaction_checkpoint_gives_the_same_outputs(tmp_path, layer_scale):
    torch.manual_seed(0)
    theirs = recognizer(dict(type='mmaction.VisionTransformer', init_values=layer_scale,
                             drop_path_rate=0.1, **SMALL))
    with torch.no_grad():  # non-trivial norms and biases
        for name, param in theirs.named_parameters():
            if 'norm' in name or 'bias' in name or 'gamma' in name:
                param.add_(torch.randn_like(param) * 0.1)
    torch.save(dict(state_dict=theirs.state_dict()), tmp_path / 'mmaction.pth')
    run_tool(['tools/model_converters/videomae_to_posetools.py', tmp_path / 'mmaction.pth',
              tmp_path / 'posetools.pth'])
    ours = recognizer(dict(type='VideoViT', layer_scale=layer_scale, drop_path_rate=0.1,
                           **SMALL))
    ours.load_state_dict(load_from_local_weights_only(tmp_path / 'posetools.pth')['state_dict'],
                         strict=True)
    theirs.eval(), ours.eval()
    clips = torch.randn(3, 3, 4, 32, 32)
    with torch.no_grad():
        expected = theirs.cls_head(theirs.backbone(clips))
        got = ours.cls_head(ours.backbone(clips))
    assert got.shape == (3, 5)
    assert (got - expected).abs().max() <= 1e-5


def test_sinusoid_table_is_videomae_s():
    torch.testing.assert_close(sinusoid_table(1568, 768), get_sinusoid_encoding(1568, 768),
                               rtol=0, atol=1e-6)


def test_masked_tubelets_do_not_reach_the_encoding():
    torch.manual_seed(0)
    vit = VideoViT(out_type='tokens', **SMALL).eval()  # 2 x 2 x 2 = 8 tokens
    mask = torch.tensor([[True, False, True, True, False, True, True, False]])
    clips = torch.randn(1, 3, 4, 32, 32)
    encoded = vit(clips, mask)
    assert encoded.shape == (1, 3, 64)
    changed = clips.clone()
    changed[:, :, 0:2, 0:16, 0:16] += 1  # token 0 (t=0, h=0, w=0): masked
    torch.testing.assert_close(vit(changed, mask), encoded, rtol=0, atol=0)
    changed[:, :, 0:2, 0:16, 16:32] += 1  # token 1 (t=0, h=0, w=1): visible
    assert (vit(changed, mask) - encoded).abs().max() > 1e-3


def test_separable_position_embedding_is_spatial_plus_temporal():
    vit = VideoViT(pos_embed_type='separable', **SMALL)
    vit.init_weights()
    table = vit.position_embedding()[0]  # (L, D), tokens in (t, h, w) order
    assert table.shape == (8, 64)
    torch.testing.assert_close(
        table[5], vit.pos_embed_spatial[0, 1] + vit.pos_embed_temporal[0, 1])  # t=1, hw=1


def test_bad_input_is_named():
    vit = VideoViT(out_type='tokens', **SMALL)
    with pytest.raises(ValueError,
                       match=r'\(T, H, W\) = \(4, 32, 32\) but got \(1, 3, 8, 32, 32\)'):
        vit(torch.zeros(1, 3, 8, 32, 32))
    uneven = torch.zeros(2, 8, dtype=torch.bool)
    uneven[0, :3] = True
    with pytest.raises(ValueError, match=r'same number of visible tokens, got \[5, 8\]'):
        vit(torch.zeros(2, 3, 4, 32, 32), uneven)
    with pytest.raises(ValueError, match='pos_embed_type must be one of'):
        VideoViT(pos_embed_type='learned')


@pytest.mark.parametrize('config, expected', [('configs/mae/vit_b_k400.py', 94_210_944),
                                              ('configs/mae/vit_b_k400_ft.py', 86_534_800)])
def test_configs_have_the_official_parameter_counts(config, expected):
    cfg = Config.fromfile(str(REPO_ROOT / config))
    init_default_scope('posetools')
    model = MODELS.build(cfg.model)  # weights are not loaded before init_weights()
    assert sum(param.numel() for param in model.parameters()) == expected


def test_qk_norm_normalises_each_heads_queries_and_keys():
    """Against a hand-written attention: softmax(LN(q) LN(k)^T / sqrt(d)) v per head."""
    torch.manual_seed(0)
    vit = VideoViT(img_size=16, patch_size=8, num_frames=4, embed_dims=32, depth=1,
                   num_heads=4, qk_norm=True)
    vit.init_weights()
    attn = vit.blocks[0].attn
    with torch.no_grad():  # non-trivial LayerNorm affines, so a skipped norm would show
        for norm in (attn.q_norm, attn.k_norm):
            norm.weight.uniform_(0.5, 2.0)
            norm.bias.uniform_(-0.5, 0.5)
    x = torch.randn(2, 8, 32)
    q, k, v = (attn.qkv.weight @ x.unsqueeze(-1)).squeeze(-1).split(32, dim=-1)
    q, v = q + attn.q_bias, v + attn.v_bias
    heads = [t.view(2, 8, 4, 8).transpose(1, 2) for t in (q, k, v)]  # (B, H, L, d)
    q, k, v = attn.q_norm(heads[0]), attn.k_norm(heads[1]), heads[2]
    logits = q @ k.transpose(-1, -2) / 8 ** 0.5
    expected = (logits.softmax(-1) @ v).transpose(1, 2).reshape(2, 8, 32)
    expected = attn.proj(expected)
    torch.testing.assert_close(attn(x), expected, rtol=1e-5, atol=1e-5)
    plain = VideoViT(img_size=16, patch_size=8, num_frames=4, embed_dims=32, depth=1,
                     num_heads=4)
    assert not any('q_norm' in name for name, _ in plain.named_parameters())
