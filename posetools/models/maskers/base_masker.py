"""What every token masker shares: the ratio, the random generator and noise-to-mask."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple

import torch


class BaseMasker(metaclass=ABCMeta):
    """Draws boolean token masks (True = masked) in batch, on the model's device.

    Every sample gets the same number of visible tokens, so the encoder's visible tokens
    form a rectangular (N, L_visible, D) batch. Randomness comes from ``torch.rand`` on the
    target device: from a private generator seeded with ``seed`` when given (reproducible
    masks independent of everything else), otherwise from torch's global generator (which
    mmengine seeds with the run's seed).

    Args:
        mask_ratio (float): Fraction of tokens to mask, in [0, 1).
        seed (int, optional): Seed of a private generator. Defaults to None.
    """

    def __init__(self, mask_ratio: float, seed: Optional[int] = None) -> None:
        if not 0 <= mask_ratio < 1:
            raise ValueError(f'mask_ratio must be in [0, 1), got {mask_ratio}')
        self.mask_ratio = mask_ratio
        self.seed = seed
        self._generators = {}

    @abstractmethod
    def __call__(self, batch_size: int, grid_size: Tuple[int, int, int], device: torch.device,
                 saliency: Optional[torch.Tensor] = None,
                 videos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, T' * H' * W') bool masks, True where a token is masked, in (t, h, w) order.

        Args:
            batch_size: N.
            grid_size: The token grid (T', H', W').
            device: Where to draw the masks.
            saliency: Optional (N, T', H', W') per-token saliency in [0, 1] from the data
                samples (``PoseSaliency``); maskers that are not directed ignore it.
            videos: Optional (N, C, T, H, W) input clips, for maskers that look at the
                pixels (``MotionMasker``); the others ignore them.
        """

    def noise(self, shape: Tuple[int, ...], device: torch.device) -> torch.Tensor:
        """Uniform [0, 1) noise of ``shape`` on ``device`` from this masker's generator."""
        device = torch.device(device)
        if self.seed is None:
            return torch.rand(shape, device=device)
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        return torch.rand(shape, device=device, generator=self._generators[device])

    def num_masked(self, num_tokens: int) -> int:
        """Tokens masked out of ``num_tokens``: ``int(mask_ratio * num_tokens)``, as VideoMAE."""
        return int(self.mask_ratio * num_tokens)

    def gumbel(self, shape: Tuple[int, ...], device: torch.device) -> torch.Tensor:
        """Float64 Gumbel(0, 1) noise ``-log(-log(u))`` of this masker's uniform noise ``u``.

        Strictly increasing in ``u`` (float64 keeps float32 neighbours apart), so its top-k
        are the uniform noise's top-k."""
        uniform = self.noise(shape, device).double().clamp_(1e-12, 1 - 1e-12)
        return -torch.log(-torch.log(uniform))

    @staticmethod
    def mask_highest(noise: torch.Tensor, num_masked: int) -> torch.Tensor:
        """(N, L) bool mask of the ``num_masked`` highest-noise tokens of every row."""
        order = noise.argsort(dim=1, descending=True)
        mask = torch.zeros_like(noise, dtype=torch.bool)
        return mask.scatter_(1, order[:, :num_masked], True)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(mask_ratio={self.mask_ratio}, seed={self.seed})'
