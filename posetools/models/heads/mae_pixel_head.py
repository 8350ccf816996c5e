"""VideoMAE's reconstruction target and loss: normalised pixels of the masked tubelets."""
from typing import Dict, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from posetools.registry import MODELS

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@MODELS.register_module()
class MAEPixelHead(BaseModule):
    """Mean-squared error between predicted and true pixels of the masked tokens.

    The target is computed exactly as VideoMAE's pretraining loop does: the network input
    is un-normalised with the ImageNet mean/std (back to [0, 1] pixels; mmaction2's
    ``ActionDataPreprocessor`` mean/std in 0-255 give the same input), cut into tubelets in
    token order with pixels ordered ``(t, p, p, C)``, and with ``norm_pix`` every tubelet
    is normalised per channel over its ``t * p * p`` pixels (unbiased variance,
    ``(x - mean) / (std + eps)``); the tubelets of the masked tokens are the labels.

    Args:
        patch_size (int): Spatial tubelet size p. Defaults to 16.
        tubelet_size (int): Temporal tubelet size t. Defaults to 2.
        norm_pix (bool): Per-tubelet normalised targets. Defaults to True.
        mean (Sequence[float]): Input mean per channel (0-1 scale). Defaults to ImageNet's.
        std (Sequence[float]): Input std per channel (0-1 scale). Defaults to ImageNet's.
        eps (float): Added to the tubelet std. Defaults to 1e-6.
    """

    def __init__(self,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 norm_pix: bool = True,
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD,
                 eps: float = 1e-6) -> None:
        super().__init__()
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.norm_pix = norm_pix
        self.eps = eps
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1, 1), persistent=False)

    def patchify(self, videos: torch.Tensor) -> torch.Tensor:
        """(N, C, T, H, W) -> (N, L, t * p * p, C) tubelets in (t, h, w) token order."""
        batch, channels, frames, height, width = videos.shape
        t, p = self.tubelet_size, self.patch_size
        x = videos.reshape(batch, channels, frames // t, t, height // p, p, width // p, p)
        x = x.permute(0, 2, 4, 6, 3, 5, 7, 1)  # (N, T', H', W', t, p, p, C)
        return x.reshape(batch, -1, t * p * p, channels)

    def target(self, videos: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(N, L_masked, t * p * p * C) labels of the masked tokens of normalised ``videos``."""
        pixels = self.patchify(videos.float() * self.std + self.mean)  # [0, 1] pixels
        if self.norm_pix:
            pixels = (pixels - pixels.mean(dim=-2, keepdim=True)) / (
                pixels.var(dim=-2, unbiased=True, keepdim=True).sqrt() + self.eps)
        pixels = pixels.flatten(2)  # (N, L, t*p*p*C)
        return pixels[mask].reshape(videos.shape[0], -1, pixels.shape[-1])

    def loss(self, pred: torch.Tensor, videos: torch.Tensor,
             mask: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``{'loss': MSE}`` of ``pred`` (N, L_masked, D) against the masked tokens' pixels."""
        target = self.target(videos, mask)
        if pred.shape != target.shape:
            raise ValueError(f'predictions {tuple(pred.shape)} do not match the masked '
                             f'tokens\' pixels {tuple(target.shape)}: check the neck\'s out_dims '
                             'and the head\'s patch_size / tubelet_size')
        return dict(loss=F.mse_loss(pred.float(), target))
