"""Masking directed by a per-token saliency: people masked preferentially, or kept visible."""
import math
from typing import Optional, Tuple, Union

import torch

from posetools.models.maskers.base_masker import BaseMasker
from posetools.models.maskers.motion_saliency import motion_saliency
from posetools.registry import MASKERS


@MASKERS.register_module()
class DirectedMasker(BaseMasker):
    """Draw masks with token weights ``w = (1 - alpha) + alpha * saliency``.

    The saliency ``s`` (N, T', H', W') in [0, 1] comes from the data samples (e.g.
    ``PoseSaliency``: person boxes and keypoints on the token grid). Every sample masks
    ``int(mask_ratio * L)`` tokens, as the random and tube maskers do.

    Sampling is without replacement by Gumbel top-k: with keys
    ``k = log(max(w, 1e-6)) + g``, ``g ~ Gumbel(0, 1)`` i.i.d., the ``n`` highest keys are a
    draw of ``n`` tokens, each next one chosen with probability proportional to ``w`` among
    those left.

    * ``mode='mask_salient'``: the masked tokens are that draw (``n = int(mask_ratio * L)``):
      people are masked preferentially (HAP, MOFO). With ``alpha = 0`` every ``w`` is 1 and
      the masks equal ``RandomMasker``'s (``TubeMasker``'s with ``tube=True``) draw for draw
      from the same seed.
    * ``mode='keep_salient'``: the visible tokens are that draw (``n = L - int(mask_ratio *
      L)``): people are kept visible (MGMAE, AdaMAE). ``alpha = 0`` is random masking in
      distribution.

    ``alpha = 1`` samples only from the saliency; the weight floor of 1e-6 makes the
    tokens of zero saliency fill up what the salient ones cannot, in uniform random order.

    Options:

    * ``tube='fixed'`` (or ``True``): one spatial pattern per sample, repeated over time
      (VideoMAE's tubes), drawn from the saliency's maximum over time (where the person is
      at any time): the visible tokens stay put while the people move through them.
      ``tube='track'``: one pattern that moves with the people (MGMAE's lesson that visible
      tokens should follow the motion, with the people's track instead of optical flow):
      time step t is shifted by ``round(c_t - c_0)`` tokens, ``c_t`` the saliency's centroid
      at step t and ``c_0`` at the first step with any saliency (shifts wrap around the
      grid edges), and the pattern is drawn from the saliency aligned that way. Either way
      ``int(mask_ratio * H' * W')`` positions are masked in every time step.
    * ``min_background_visible=b``: first ``ceil(b * n_visible)`` visible tokens are drawn
      uniformly among the background tokens (``s < background_threshold``; all of them if
      there are fewer), then the rest by the rule above.
    * ``fallback``: a sample whose saliency is zero everywhere (no person: a video without a
      pose entry, or with zero persons) is masked at ``'random'`` (``w = 1``; with
      ``tube=True`` random tubes), or directed by its own ``'motion'`` instead (the
      frame-difference saliency of ``MotionMasker``; random when the clip is still too).

    Args:
        mask_ratio (float): Fraction of tokens to mask. Defaults to 0.9.
        alpha (float): Weight of the saliency, in [0, 1]. Defaults to 0.5.
        mode (str): ``'mask_salient'`` or ``'keep_salient'``. Defaults to ``'mask_salient'``.
        tube (bool | str): ``False``, ``'fixed'`` (``True``) or ``'track'``. Defaults to
            False.
        min_background_visible (float): Least share of the visible tokens on the
            background, in [0, 1]. Defaults to 0.
        background_threshold (float): Saliency below which a token is background.
            Defaults to 0.5.
        fallback (str): ``'random'`` or ``'motion'``. Defaults to ``'random'``.
        seed (int, optional): Seed of a private generator. Defaults to None.
    """

    MODES = ('mask_salient', 'keep_salient')
    TUBES = (False, True, 'fixed', 'track')
    FALLBACKS = ('random', 'motion')
    WEIGHT_FLOOR = 1e-6

    def __init__(self,
                 mask_ratio: float = 0.9,
                 alpha: float = 0.5,
                 mode: str = 'mask_salient',
                 tube: Union[bool, str] = False,
                 min_background_visible: float = 0.,
                 background_threshold: float = 0.5,
                 fallback: str = 'random',
                 seed: Optional[int] = None) -> None:
        super().__init__(mask_ratio, seed)
        name = self.__class__.__name__
        if mode not in self.MODES:
            raise ValueError(f'{name}: mode must be one of {self.MODES}, got {mode!r}')
        if fallback not in self.FALLBACKS:
            raise ValueError(f'{name}: fallback must be one of {self.FALLBACKS}, got '
                             f'{fallback!r}')
        if tube not in self.TUBES:
            raise ValueError(f'{name}: tube must be one of {self.TUBES}, got {tube!r}')
        if not 0 <= alpha <= 1:
            raise ValueError(f'{name}: alpha must be in [0, 1], got {alpha}')
        if not 0 <= min_background_visible <= 1:
            raise ValueError(f'{name}: min_background_visible must be in [0, 1], got '
                             f'{min_background_visible}')
        self.alpha = alpha
        self.mode = mode
        self.tube = 'fixed' if tube is True else tube
        self.min_background_visible = min_background_visible
        self.background_threshold = background_threshold
        self.fallback = fallback

    def __call__(self, batch_size: int, grid_size: Tuple[int, int, int], device: torch.device,
                 saliency: Optional[torch.Tensor] = None,
                 videos: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, T' * H' * W') bool masks, True where a token is masked, in (t, h, w) order."""
        saliency = self.check_saliency(self.saliency_of(saliency, videos, grid_size),
                                       batch_size, grid_size).to(device)
        if self.fallback == 'motion':
            saliency = self._motion_where_empty(saliency, videos, grid_size)
        if not self.tube:
            return self._draw(saliency.flatten(1), self.num_masked(saliency[0].numel()))
        frames, height, width = grid_size
        shifts = torch.zeros(2, batch_size, frames, dtype=torch.long, device=device)
        if self.tube == 'track':
            shifts = track_shifts(saliency)
            saliency = shift_grid(saliency, -shifts)  # every step in the first one's place
        spatial = saliency.amax(dim=1).flatten(1)  # (N, H'W')
        pattern = self._draw(spatial, self.num_masked(height * width)).view(-1, 1, height, width)
        return shift_grid(pattern.expand(-1, frames, -1, -1), shifts).flatten(1)

    def saliency_of(self, saliency: Optional[torch.Tensor], videos: Optional[torch.Tensor],
                    grid_size: Tuple[int, int, int]) -> torch.Tensor:
        """The (N, T', H', W') saliency that directs the masks: the data samples' one."""
        if saliency is None:
            raise ValueError(
                f'{self.__class__.__name__} needs a per-token saliency from the data samples: '
                "add dict(type='PoseSaliency', ...) to the pipeline and 'saliency' to "
                "PackActionInputs' meta_keys (configs/dmae/ shows how)")
        return saliency

    @staticmethod
    def _motion_where_empty(saliency: torch.Tensor, videos: Optional[torch.Tensor],
                            grid_size: Tuple[int, int, int]) -> torch.Tensor:
        """``saliency`` with the samples that have none replaced by their clip's motion."""
        empty = saliency.flatten(1).amax(dim=1) <= 0
        if not empty.any():
            return saliency
        if videos is None:
            raise ValueError("DirectedMasker(fallback='motion') needs the input clips "
                             '(VideoMAE passes them)')
        saliency = saliency.clone()
        saliency[empty] = motion_saliency(videos[empty], grid_size).to(saliency)
        return saliency

    def check_saliency(self, saliency: torch.Tensor, batch_size: int,
                       grid_size: Tuple[int, int, int]) -> torch.Tensor:
        """``saliency`` as float, after checking its shape is (N, T', H', W')."""
        expected = (batch_size, *grid_size)
        if tuple(saliency.shape) != expected:
            raise ValueError(f'{self.__class__.__name__}: saliency of shape '
                             f'{tuple(saliency.shape)}, the token grid needs {expected}')
        return saliency.float()

    def _draw(self, saliency: torch.Tensor, num_masked: int) -> torch.Tensor:
        """(N, L) masks from an (N, L) saliency: the Gumbel top-k of the class docstring."""
        empty = saliency.amax(dim=1, keepdim=True) <= 0
        weights = (1 - self.alpha) + self.alpha * saliency
        weights = torch.where(empty, torch.ones_like(weights), weights)  # 'random' fallback
        keys = weights.double().clamp_min(self.WEIGHT_FLOOR).log() + self.gumbel(
            tuple(saliency.shape), saliency.device)
        if self.mode == 'mask_salient' and self.min_background_visible == 0:
            return self.mask_highest(keys, num_masked)  # RandomMasker's draw at alpha = 0
        num_visible = saliency.shape[1] - num_masked
        priority = -keys if self.mode == 'mask_salient' else keys  # highest: visible
        if self.min_background_visible > 0:
            priority = self._force_background(priority, saliency, num_visible)
        visible = priority.topk(num_visible, dim=1).indices
        mask = torch.ones_like(saliency, dtype=torch.bool)
        return mask.scatter_(1, visible, False)

    def _force_background(self, priority: torch.Tensor, saliency: torch.Tensor,
                          num_visible: int) -> torch.Tensor:
        """``priority`` with ``ceil(b * num_visible)`` random background tokens set to +inf."""
        wanted = min(math.ceil(self.min_background_visible * num_visible), num_visible)
        background = saliency < self.background_threshold
        order = torch.where(background, self.noise(tuple(saliency.shape), saliency.device),
                            torch.full_like(saliency, -1.))
        chosen = order.topk(wanted, dim=1)
        forced = torch.zeros_like(background).scatter_(1, chosen.indices, chosen.values >= 0)
        return priority.masked_fill(forced, float('inf'))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mask_ratio={self.mask_ratio}, alpha={self.alpha}, '
                f'mode={self.mode!r}, tube={self.tube!r}, '
                f'min_background_visible={self.min_background_visible}, '
                f'fallback={self.fallback!r}, seed={self.seed})')


def track_shifts(saliency: torch.Tensor) -> torch.Tensor:
    """(2, N, T') long (row, column) shifts of the saliency's centroid from its first step.

    Args:
        saliency: (N, T', H', W') saliency.

    Returns:
        ``round(c_t - c_first)`` per sample and time step, ``c_first`` the centroid at the
        first step with any saliency; 0 at steps (and in samples) without saliency.
    """
    height, width = saliency.shape[2:]
    mass = saliency.sum(dim=(2, 3))  # (N, T')
    rows = torch.arange(height, device=saliency.device, dtype=saliency.dtype).view(-1, 1)
    cols = torch.arange(width, device=saliency.device, dtype=saliency.dtype)
    centroid = torch.stack([(saliency * rows).sum(dim=(2, 3)), (saliency * cols).sum(dim=(2, 3))])
    centroid = centroid / mass.clamp_min(1e-12)  # (2, N, T')
    present = mass > 0
    first = present.float().argmax(dim=1).view(1, -1, 1).expand(2, -1, 1)
    shifts = (centroid - centroid.gather(2, first)).round().long()
    return torch.where(present, shifts, torch.zeros_like(shifts))


def shift_grid(grid: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """``grid`` (N, T', H', W') with step t's content moved by ``shifts[:, n, t]`` (rows,
    columns), wrapping around the edges: ``out[n, t, h, w] = grid[n, t, h - dy, w - dx]``."""
    batch, frames, height, width = grid.shape
    rows = (torch.arange(height, device=grid.device) - shifts[0, ..., None]) % height
    cols = (torch.arange(width, device=grid.device) - shifts[1, ..., None]) % width
    samples = torch.arange(batch, device=grid.device).view(-1, 1, 1, 1)
    steps = torch.arange(frames, device=grid.device).view(1, -1, 1, 1)
    return grid[samples, steps, rows[..., :, None], cols[..., None, :]]
