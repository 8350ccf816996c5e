"""Maskers: a fixed number of visible tokens, tubes through time, seeded, on the device."""
import pytest
import torch

from posetools.models import RandomMasker, TubeMasker
from posetools.registry import MASKERS

GRID = (8, 14, 14)  # ViT-B 16 x 224 x 224: 1568 tokens


@pytest.mark.parametrize('masker, visible', [(TubeMasker(0.9), 8 * (196 - 176)),
                                             (RandomMasker(0.9), 1568 - 1411)])
def test_fixed_visible_count_as_videomae(masker, visible):
    mask = masker(6, GRID, 'cpu')
    assert mask.shape == (6, 1568) and mask.dtype == torch.bool
    assert ((~mask).sum(dim=1) == visible).all()
    assert len({tuple(row.tolist()) for row in mask}) == 6  # a different mask per sample


def test_tube_masks_repeat_over_time():
    mask = TubeMasker(0.75)(4, GRID, 'cpu').view(4, 8, 196)
    assert (mask == mask[:, :1]).all()
    assert (mask[:, 0].sum(dim=1) == 147).all()


def test_random_masks_cover_tokens_uniformly():
    frequency = RandomMasker(0.5, seed=0)(4000, (2, 2, 2), 'cpu').float().mean(dim=0)
    assert (frequency - 0.5).abs().max() < 0.04


def test_seeded_masks_are_reproducible_and_global_seed_is_used_otherwise():
    first = TubeMasker(0.9, seed=3)(2, GRID, 'cpu')
    assert torch.equal(first, TubeMasker(0.9, seed=3)(2, GRID, 'cpu'))
    masker = TubeMasker(0.9)
    torch.manual_seed(1)
    a = masker(2, GRID, 'cpu')
    torch.manual_seed(1)
    assert torch.equal(a, masker(2, GRID, 'cpu'))
    assert not torch.equal(a, masker(2, GRID, 'cpu'))


def test_registry_and_bad_ratio():
    masker = MASKERS.build(dict(type='RandomMasker', mask_ratio=0.75, seed=1))
    assert repr(masker) == 'RandomMasker(mask_ratio=0.75, seed=1)'
    with pytest.raises(ValueError, match=r'mask_ratio must be in \[0, 1\), got 1.0'):
        TubeMasker(1.0)
