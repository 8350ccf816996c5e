"""VideoMAE wires masker, encoder, decoder and head, and learns to reconstruct."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, init_default_scope

import posetools  # noqa: F401


def tiny_video_mae(mask_ratio: float = 0.75) -> torch.nn.Module:
    init_default_scope('posetools')
    model = MODELS.build(dict(
        type='VideoMAE',
        backbone=dict(type='VideoViT', img_size=16, patch_size=8, tubelet_size=2, num_frames=4,
                      embed_dims=32, depth=2, num_heads=2, out_type='tokens'),
        neck=dict(type='MAEDecoder', num_tokens=8, in_dims=32, embed_dims=16, depth=1,
                  num_heads=2, out_dims=2 * 8 * 8 * 3),
        head=dict(type='MAEPixelHead', patch_size=8, tubelet_size=2),
        masker=dict(type='TubeMasker', mask_ratio=mask_ratio)))
    model.init_weights()
    return model


def test_loss_tensor_modes_and_errors():
    torch.manual_seed(0)
    model = tiny_video_mae()
    clips = torch.randn(3, 1, 3, 4, 16, 16)  # (N, clips, C, T, H, W) from the preprocessor
    pred, mask = model(clips, mode='tensor')
    assert mask.shape == (3, 8) and ((~mask).sum(1) == 2).all()  # 2 x 2 grid, 3 of 4 masked
    assert pred.shape == (3, 6, 384)
    loss = model(clips, mode='loss')['loss']
    loss.backward()
    assert model.backbone.patch_embed.weight.grad.abs().sum() > 0
    assert model.neck.mask_token.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='supports mode "loss" and "tensor"'):
        model(clips, mode='predict')


def test_reconstruction_loss_falls_on_a_fixed_batch():
    torch.manual_seed(0)
    model = tiny_video_mae()
    optim_wrapper = build_optim_wrapper(model, dict(optimizer=dict(type='AdamW', lr=3e-3)))
    # smooth clips: their tubelets are predictable from the visible ones
    base = torch.randn(4, 3, 1, 2, 2)
    clips = torch.nn.functional.interpolate(base, size=(4, 16, 16), mode='trilinear')
    data = dict(inputs=clips, data_samples=None)
    losses = [model.train_step(data, optim_wrapper)['loss'].item() for _ in range(60)]
    assert sum(losses[-5:]) / 5 < 0.7 * sum(losses[:5]) / 5, losses
