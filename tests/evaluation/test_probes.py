"""k-NN and linear probes against hand computations and separable data."""
import math

import pytest
import torch

from posetools.evaluation.probes import knn_top1, linear_probe_top1


def test_knn_votes_weighted_by_similarity():
    """Hand-computed: the test point's neighbours are two class-0 points at similarity
    cos(60 deg) = 0.5 and one class-1 point at similarity 1; with k=3 and temperature 1,
    class 0 gets 2 e^0.5 = 3.30 against e^1 = 2.72 and wins; with temperature 0.1 the
    class-1 neighbour's weight e^10 wins."""
    angle = math.radians(60)
    train = torch.tensor([[math.cos(angle), math.sin(angle)],
                          [math.cos(angle), -math.sin(angle)],
                          [1.0, 0.0],
                          [-1.0, 0.0]])
    labels = torch.tensor([0, 0, 1, 2])
    test, test_labels = torch.tensor([[2.0, 0.0]]), torch.tensor([0])
    assert knn_top1(train, labels, test, test_labels, k=3, temperature=1.0) == 1.0
    assert knn_top1(train, labels, test, test_labels, k=3, temperature=0.1) == 0.0
    # k=1: the nearest neighbour alone (class 1)
    assert knn_top1(train, labels, test, torch.tensor([1]), k=1) == 1.0


def test_probes_separate_clusters_and_fail_on_noise():
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(5, 16, generator=generator) * 3
    labels = torch.arange(200) % 5
    feats = centres[labels] + torch.randn(200, 16, generator=generator)
    train, test = slice(0, 150), slice(150, 200)
    assert knn_top1(feats[train], labels[train], feats[test], labels[test]) == 1.0
    assert linear_probe_top1(feats[train], labels[train], feats[test], labels[test]) == 1.0
    noise = torch.randn(200, 16, generator=generator)
    assert knn_top1(noise[train], labels[train], noise[test], labels[test]) < 0.5
    assert linear_probe_top1(noise[train], labels[train], noise[test], labels[test]) < 0.5


def test_linear_probe_needs_a_linear_direction_knn_does_not():
    """Classes told apart by the sign of one coordinate among 7 large noisy ones: the linear
    probe finds it; cosine k-NN, drowned by the noise, does much worse."""
    generator = torch.Generator().manual_seed(1)
    feats = torch.randn(400, 8, generator=generator) * 10
    labels = (feats[:, 0] > 0).long()
    feats[:, 0] = feats[:, 0].sign() * 0.5  # a small, clean signal
    train, test = slice(0, 300), slice(300, 400)
    linear = linear_probe_top1(feats[train], labels[train], feats[test], labels[test])
    knn = knn_top1(feats[train], labels[train], feats[test], labels[test])
    assert linear == 1.0 and knn < 0.75


@pytest.mark.parametrize('probe', [knn_top1, linear_probe_top1])
def test_probes_reject_bad_shapes(probe):
    feats, labels = torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match='features must be'):
        probe(feats, labels, torch.zeros(2, 5), labels[:2])
    with pytest.raises(ValueError, match='one label per feature row'):
        probe(feats, labels[:3], feats, labels)
    if probe is knn_top1:
        with pytest.raises(ValueError, match='k must be in'):
            probe(feats, labels, feats, labels, k=5)
