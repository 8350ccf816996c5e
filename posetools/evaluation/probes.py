"""Probes of frozen features: weighted k-NN and a linear classifier (self-supervised evaluation).

Both take features computed once (e.g. mean-pooled encoder tokens of every clip) and labels,
and return the held-out top-1, so pretrained and random encoders compare on equal terms.
"""
import torch
import torch.nn.functional as F

__all__ = ['knn_top1', 'linear_probe_top1']


def knn_top1(train_feats: torch.Tensor, train_labels: torch.Tensor, test_feats: torch.Tensor,
             test_labels: torch.Tensor, k: int = 20, temperature: float = 0.07) -> float:
    """Top-1 of a weighted k-NN classifier on cosine similarity (InstDisc / DINO's).

    Each test sample votes with its ``k`` most similar training samples, weighting the
    vote of a neighbour with cosine similarity ``s`` by ``exp(s / temperature)``.

    Args:
        train_feats: (N, D) training features.
        train_labels: (N, ) int64 labels in ``[0, C)``.
        test_feats: (M, D) test features.
        test_labels: (M, ) int64 labels.
        k: Neighbours per test sample (at most N).
        temperature: Softmax temperature of the similarity weights.

    Returns:
        The share of test samples whose top-scoring class is their label.
    """
    _check(train_feats, train_labels, test_feats, test_labels)
    if not 1 <= k <= len(train_feats):
        raise ValueError(f'k must be in [1, {len(train_feats)}], got {k}')
    similarity = F.normalize(test_feats.float(), dim=1) @ F.normalize(
        train_feats.float(), dim=1).T  # (M, N)
    top_sim, top_index = similarity.topk(k, dim=1)  # (M, k)
    num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    votes = torch.zeros(len(test_feats), num_classes)
    votes.scatter_add_(1, train_labels[top_index], (top_sim / temperature).exp())
    return (votes.argmax(1) == test_labels).float().mean().item()


def linear_probe_top1(train_feats: torch.Tensor, train_labels: torch.Tensor,
                      test_feats: torch.Tensor, test_labels: torch.Tensor,
                      weight_decay: float = 1e-3, steps: int = 200) -> float:
    """Top-1 of a multinomial logistic regression on standardised features.

    Features are standardised with the training set's mean and std, then a linear layer
    is fitted by full-batch L-BFGS on the cross-entropy plus ``weight_decay * ||W||^2``
    (deterministic for given features).

    Args:
        train_feats: (N, D) training features.
        train_labels: (N, ) int64 labels in ``[0, C)``.
        test_feats: (M, D) test features.
        test_labels: (M, ) int64 labels.
        weight_decay: L2 penalty on the weights (not the bias).
        steps: L-BFGS iterations.

    Returns:
        The share of test samples classified correctly.
    """
    _check(train_feats, train_labels, test_feats, test_labels)
    mean, std = train_feats.float().mean(0), train_feats.float().std(0) + 1e-6
    train_x, test_x = (train_feats.float() - mean) / std, (test_feats.float() - mean) / std
    num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    weight = torch.zeros(train_x.shape[1], num_classes, requires_grad=True)
    bias = torch.zeros(num_classes, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=steps, line_search_fn='strong_wolfe')

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(train_x @ weight + bias, train_labels) + \
            weight_decay * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        return ((test_x @ weight + bias).argmax(1) == test_labels).float().mean().item()


def _check(train_feats: torch.Tensor, train_labels: torch.Tensor, test_feats: torch.Tensor,
           test_labels: torch.Tensor) -> None:
    """Shapes: (N, D) with (N, ) labels and (M, D) with (M, ) labels, the same D."""
    if train_feats.dim() != 2 or test_feats.dim() != 2 or \
            train_feats.shape[1] != test_feats.shape[1]:
        raise ValueError(f'features must be (N, D) and (M, D), got {tuple(train_feats.shape)} '
                         f'and {tuple(test_feats.shape)}')
    if train_labels.shape != train_feats.shape[:1] or test_labels.shape != test_feats.shape[:1]:
        raise ValueError(f'one label per feature row: {tuple(train_labels.shape)} labels for '
                         f'{len(train_feats)} rows, {tuple(test_labels.shape)} for '
                         f'{len(test_feats)}')
