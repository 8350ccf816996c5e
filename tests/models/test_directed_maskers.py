"""Directed, motion and running-cell maskers against independent computations."""
import math

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from scipy import stats

from posetools.models import (DirectedMasker, MotionMasker, RandomMasker, RunningCellMasker,
                              TubeMasker, VideoMAE)
from posetools.models.maskers import motion_saliency
from posetools.registry import MASKERS

GRID = (4, 8, 8)  # the synth ViT's 256 tubelets


def person_saliency(batch: int, value: float = 1.) -> torch.Tensor:
    """(N, 4, 8, 8) saliency: a 'person' of 3 x 2 tokens per time step, moving right."""
    saliency = torch.zeros(batch, *GRID)
    for t in range(GRID[0]):
        saliency[:, t, 2:5, 1 + t:3 + t] = value
    return saliency


@pytest.mark.parametrize('masker', [
    DirectedMasker(0.9, alpha=0.7),
    DirectedMasker(0.9, alpha=1., mode='keep_salient', min_background_visible=0.3),
    DirectedMasker(0.75, alpha=0.5, tube=True),
    MotionMasker(0.9, alpha=0.8),
])
def test_fixed_visible_count(masker):
    videos = torch.randn(5, 3, 8, 64, 64)
    mask = masker(5, GRID, 'cpu', saliency=person_saliency(5), videos=videos)
    assert mask.shape == (5, 256) and mask.dtype == torch.bool
    expected = 256 - int(0.9 * 256) if not masker.tube else 4 * (64 - int(0.75 * 64))
    assert ((~mask).sum(dim=1) == expected).all()


def test_alpha_zero_is_random_masking():
    saliency = person_saliency(64)
    # masking the salient tokens with alpha = 0: RandomMasker's / TubeMasker's masks, draw for draw
    directed = DirectedMasker(0.9, alpha=0., seed=5)(64, GRID, 'cpu', saliency=saliency)
    assert torch.equal(directed, RandomMasker(0.9, seed=5)(64, GRID, 'cpu'))
    tubes = DirectedMasker(0.9, alpha=0., tube=True, seed=5)(64, GRID, 'cpu', saliency=saliency)
    assert torch.equal(tubes, TubeMasker(0.9, seed=5)(64, GRID, 'cpu'))
    # keeping them visible with alpha = 0: uniform in distribution (chi-square, fixed seed)
    mask = DirectedMasker(0.9, alpha=0., mode='keep_salient', seed=0)(
        4000, GRID, 'cpu', saliency=person_saliency(4000))
    visible_counts = (~mask).sum(dim=0).numpy()
    expected = np.full(256, visible_counts.sum() / 256)
    assert stats.chisquare(visible_counts, expected).pvalue > 0.01
    # and the people get their share of the visible tokens, no more
    on_person = (~mask & person_saliency(1).flatten(1).bool()).sum(dim=1).float().mean()
    assert abs(on_person.item() - 26 * 24 / 256) < 0.1


def sequential_draw_share(weights: np.ndarray, on_person: np.ndarray, draws: int,
                          trials: int, rng: np.random.Generator) -> float:
    """Mean share of ``draws`` tokens on people, each drawn with probability proportional to
    ``weights`` among those left: the definition of the directed masker's sampling."""
    shares = []
    for _ in range(trials):
        left = np.ones(len(weights), bool)
        drawn = []
        for _ in range(draws):
            p = weights * left
            token = rng.choice(len(weights), p=p / p.sum())
            left[token] = False
            drawn.append(token)
        shares.append(on_person[drawn].mean())
    return float(np.mean(shares))


@pytest.mark.parametrize('mode', ['mask_salient', 'keep_salient'])
def test_share_on_people_follows_the_weights(mode):
    saliency = person_saliency(1, value=0.8)
    on_person = saliency.flatten().numpy() > 0
    rng = np.random.default_rng(0)
    shares = []
    for alpha in (0., 0.5, 0.9, 1.):
        mask = DirectedMasker(0.9, alpha=alpha, mode=mode, seed=1)(
            3000, GRID, 'cpu', saliency=saliency.expand(3000, *GRID))
        drawn = mask if mode == 'mask_salient' else ~mask
        share = (drawn & torch.from_numpy(on_person)).sum(dim=1).float() / drawn.sum(dim=1)
        weights = np.maximum((1 - alpha) + alpha * saliency.flatten().numpy(), 1e-6)
        reference = sequential_draw_share(weights, on_person, int(drawn[0].sum()), 300, rng)
        assert share.mean().item() == pytest.approx(reference, abs=0.02)
        shares.append(share.mean().item())
    assert shares[0] < shares[1] < shares[2] <= shares[3] + 1e-9  # grows with alpha
    # alpha = 1: the 24 person tokens are drawn first (all masked, or 24 of the 26 visible)
    assert shares[-1] == pytest.approx(24 / 230 if mode == 'mask_salient' else 24 / 26)


def test_tracked_tubes_follow_the_people():
    saliency = person_saliency(200)  # moves one token right per time step
    mask = DirectedMasker(0.9, alpha=1., mode='keep_salient', tube='track', seed=0)(
        200, GRID, 'cpu', saliency=saliency).view(200, 4, 8, 8)
    for t in range(4):  # the first step's pattern, moved with the person
        assert torch.equal(mask[:, t], mask[:, 0].roll(t, dims=-1))
    assert ((~mask).sum(dim=(2, 3)) == 7).all()
    # the person's 6 tokens are visible at every step; a fixed tube cannot do that (union: 15)
    person = saliency.bool()
    assert ((~mask & person).sum(dim=(2, 3)) == 6).all()
    fixed = DirectedMasker(0.9, alpha=1., mode='keep_salient', tube='fixed', seed=0)(
        200, GRID, 'cpu', saliency=saliency).view(200, 4, 8, 8)
    assert ((~fixed & person).sum(dim=(2, 3)) < 6).any()
    with pytest.raises(ValueError, match="tube must be one of"):
        DirectedMasker(tube='moving')


def test_tube_consistency_and_background_share():
    saliency = person_saliency(200)
    mask = DirectedMasker(0.75, alpha=1., mode='keep_salient', tube=True, seed=0)(
        200, GRID, 'cpu', saliency=saliency).view(200, 4, 64)
    assert (mask == mask[:, :1]).all()
    # the pattern is drawn from where the person is at any time (the union of the 4 steps)
    union = saliency.amax(dim=1).flatten(1).bool()  # 15 positions, 16 visible
    assert (~mask[:, 0] & union).sum(dim=1).min() == 15
    mask = DirectedMasker(0.9, alpha=1., mode='keep_salient', min_background_visible=0.5,
                          seed=0)(200, GRID, 'cpu', saliency=saliency)
    background_visible = (~mask & ~saliency.flatten(1).bool()).sum(dim=1)
    assert (background_visible >= math.ceil(0.5 * 26)).all()
    assert (background_visible <= 13 + 1).all()  # the rest go to the 24 person tokens first


@pytest.mark.parametrize('fallback', ['random', 'motion'])
def test_samples_without_people_fall_back(fallback):
    saliency = person_saliency(400)
    saliency[1::2] = 0  # every other sample has no person
    videos = torch.zeros(400, 3, 8, 64, 64)
    videos[:, :, ::2, :16, :16] = 1  # a blinking square in the top left tokens
    masker = DirectedMasker(0.9, alpha=1., mode='keep_salient', fallback=fallback, seed=0)
    mask = masker(400, GRID, 'cpu', saliency=saliency, videos=videos)
    assert ((~mask).sum(dim=1) == 26).all()
    on_person = (~mask[0::2] & saliency[0].flatten().bool()).sum(dim=1)
    assert (on_person == 24).all()
    empty = mask[1::2]
    if fallback == 'random':
        frequency = (~empty).float().mean(dim=0)
        assert (frequency - 26 / 256).abs().max() < 0.07  # uniform over the tokens
    else:  # directed by the motion: the 4 x 4 blinking tokens visible first
        blinking = motion_saliency(videos[:1], GRID).flatten().bool()
        assert int(blinking.sum()) == 16
        assert ((~empty & blinking).sum(dim=1) == 16).all()
        with pytest.raises(ValueError, match='needs the input clips'):
            masker(400, GRID, 'cpu', saliency=saliency)


def test_bad_configs_and_inputs():
    with pytest.raises(ValueError, match=r"mode must be one of \('mask_salient', "
                       r"'keep_salient'\), got 'mask_people'"):
        MASKERS.build(dict(type='DirectedMasker', mode='mask_people'))
    with pytest.raises(ValueError, match='fallback must be one of'):
        DirectedMasker(fallback='skip')
    with pytest.raises(ValueError, match=r'alpha must be in \[0, 1\]'):
        DirectedMasker(alpha=1.5)
    with pytest.raises(ValueError, match='PoseSaliency'):
        DirectedMasker()(2, GRID, 'cpu')
    with pytest.raises(ValueError, match=r'saliency of shape \(2, 4, 4, 4\), the token grid '
                       r'needs \(2, 4, 8, 8\)'):
        DirectedMasker()(2, GRID, 'cpu', saliency=torch.zeros(2, 4, 4, 4))
    with pytest.raises(ValueError, match='needs the input clips'):
        MotionMasker()(2, GRID, 'cpu')
    with pytest.raises(ValueError, match='mask_ratio must be 0.25, 0.5 or 0.75, got 0.9'):
        RunningCellMasker(0.9)
    with pytest.raises(ValueError, match='must have even sides'):
        RunningCellMasker(0.5)(2, (4, 7, 8), 'cpu')


def test_motion_saliency_and_masks():
    videos = torch.zeros(2, 3, 8, 64, 64)
    for t in range(8):  # a bright square moving right in the first clip; the second is still
        videos[0, :, t, 16:32, 4 * t:4 * t + 16] = 1.
    saliency = motion_saliency(videos, GRID)
    assert saliency.shape == (2, *GRID) and saliency.max() == 1 and saliency[1].max() == 0
    # independent: the tokens the square's edges cross over the tubelet's two frames
    diff = (videos[0, 0, 1:] - videos[0, 0, :-1]).abs()
    diff = torch.cat([diff[:1], diff])
    tokens = diff.view(4, 2, 8, 8, 8, 8).mean(dim=(1, 3, 5))
    torch.testing.assert_close(saliency[0], tokens / tokens.max())
    mask = MotionMasker(0.9, alpha=1., mode='keep_salient', seed=0)(2, GRID, 'cpu',
                                                                   videos=videos)
    moving = saliency[0].flatten() > 0
    assert (~mask[0] & moving).sum() == min(26, int(moving.sum()))
    assert ((~mask).sum(dim=1) == 26).all()  # the still clip falls back to random


def reference_running_cell(mask_ratio: float, grid: tuple, start: int) -> np.ndarray:
    """VideoMAE V2's running cell, written as its queue rotates: (T' * H' * W') 0/1."""
    frames, height, width = grid
    masked = int(4 * mask_ratio)
    queue = np.array([1] * masked + [0] * (4 - masked))
    pointer, steps = start, []
    for _ in range(frames):
        pointer += 1
        cell = queue[(np.arange(4) + pointer) % 4].reshape(2, 2)
        steps.append(np.tile(cell, (height // 2, width // 2)).ravel())
    return np.concatenate(steps)


@pytest.mark.parametrize('ratio', [0.25, 0.5, 0.75])
def test_running_cell_matches_videomae_v2(ratio):
    mask = RunningCellMasker(ratio, seed=0)(64, GRID, 'cpu').numpy()
    references = {tuple(reference_running_cell(ratio, GRID, start)) for start in range(4)}
    patterns = {tuple(row.astype(int)) for row in mask}
    assert patterns == references  # every start drawn, nothing else
    assert ((~mask).sum(axis=1) == 256 * (1 - ratio)).all()


def test_video_mae_passes_the_data_samples_saliency():
    model = VideoMAE(
        backbone=dict(type='VideoViT', img_size=64, patch_size=8, tubelet_size=2, num_frames=8,
                      embed_dims=32, depth=1, num_heads=2, out_type='tokens'),
        neck=dict(type='MAEDecoder', num_tokens=256, in_dims=32, embed_dims=16, depth=1,
                  num_heads=1, out_dims=2 * 8 * 8 * 3),
        head=dict(type='MAEPixelHead', patch_size=8, tubelet_size=2),
        masker=dict(type='DirectedMasker', mask_ratio=0.9, alpha=1., mode='keep_salient'))
    samples = []
    for person in person_saliency(3).numpy():
        sample = ActionDataSample()
        sample.set_metainfo(dict(saliency=person))
        samples.append(sample)
    _, mask = model(torch.randn(3, 3, 8, 64, 64), samples, mode='tensor')
    assert (~mask & person_saliency(3).flatten(1).bool()).sum(dim=1).tolist() == [24] * 3
    with pytest.raises(ValueError, match='PoseSaliency'):
        model(torch.randn(3, 3, 8, 64, 64), [ActionDataSample()] * 3, mode='tensor')
