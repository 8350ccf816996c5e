"""get_flops.py agrees with the PoseConv3D paper's model size for the NTU joint config and
with the multiply-adds counted here, layer by layer."""
import re
from typing import Tuple

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from posetools.registry import MODELS
from tests.helpers import run_tool

CONFIG = 'configs/posec3d/slowonly_r50_ntu60_xsub.py'


def build_model() -> nn.Module:
    """The config's recogniser, in eval mode, as get_flops.py builds it."""
    cfg = Config.fromfile(CONFIG)
    init_default_scope(cfg.default_scope)
    return MODELS.build(cfg.model).eval()


def count_multiply_adds(model: nn.Module, clip_shape: Tuple[int, ...]) -> Tuple[int, int]:
    """What mmengine's counter (which get_flops.py prints) counts in ``model.extract_feat``
    on one clip of ``clip_shape`` (C, T, H, W), counted here from each layer's output shape.

    Each Conv3d: output elements x input channels per group x kernel volume (its
    multiply-adds; cross-checked against torch's FlopCounterMode, which counts 2 FLOPs per
    multiply-add). Each BatchNorm3d, affine in eval mode: 2 per output element (scale and
    shift). ReLU, max-pooling and the residual additions are not counted, by mmengine
    either. SlowOnly-R50 has no other layers.

    Returns:
        tuple: the convolutions' and the batch norms' counts.
    """
    counts = dict(conv=0, norm=0)

    def count(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        if isinstance(module, nn.Conv3d):
            kernel = module.kernel_size[0] * module.kernel_size[1] * module.kernel_size[2]
            counts['conv'] += output.numel() * module.in_channels // module.groups * kernel
        else:
            counts['norm'] += 2 * output.numel()

    hooks = [module.register_forward_hook(count) for module in model.backbone.modules()
             if isinstance(module, (nn.Conv3d, nn.BatchNorm3d))]
    clip = torch.zeros((1, 1) + tuple(clip_shape))  # (batch, clips, C, T, H, W)
    with torch.no_grad(), FlopCounterMode(display=False) as torch_counter:
        model.extract_feat(clip)
    for hook in hooks:
        hook.remove()
    assert torch_counter.get_total_flops() == 2 * counts['conv']
    return counts['conv'], counts['norm']


def printed_gflops(stdout: str) -> float:
    """The GFLOPs get_flops.py prints (mmengine's 3 decimals)."""
    return float(re.search(r'input clip .*: ([0-9.]+)G FLOPs \(multiply-adds\)', stdout)[1])


def test_posec3d_ntu_joint_matches_paper_and_a_count_by_layer():
    """PoseC3D (arXiv 2104.13586): 2.0M parameters, 20.6 GFLOPs (multiply-adds) for one
    17x48x64x64 clip; the 56x56 training crop is the same network on (56/64)^2 of the
    pixels."""
    model = build_model()
    test_conv, test_norm = count_multiply_adds(model, (17, 48, 64, 64))
    train_conv, train_norm = count_multiply_adds(model, (17, 48, 56, 56))
    # every layer's output scales with H x W: the total spatial stride, 8, divides 64 and 56
    assert train_conv * 64**2 == test_conv * 56**2 and train_norm * 64**2 == test_norm * 56**2

    test_clip = run_tool(['tools/analysis/get_flops.py', CONFIG, '--shape', '17', '48', '64',
                          '64'])
    assert round(printed_gflops(test_clip.stdout), 1) == 20.6
    assert abs(printed_gflops(test_clip.stdout) - (test_conv + test_norm) / 1e9) <= 5e-4
    assert '(2,024,860)' in test_clip.stdout
    train_clip = run_tool(['tools/analysis/get_flops.py', CONFIG, '--shape', '17', '48', '56',
                           '56'])
    assert abs(printed_gflops(train_clip.stdout) - (train_conv + train_norm) / 1e9) <= 5e-4
