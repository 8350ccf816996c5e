"""SkeletonClsHead: loss with label smoothing and multi-clip prediction."""
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample

from posetools.models import SkeletonClsHead


def samples(labels):
    return [ActionDataSample().set_gt_label(label) for label in labels]


def test_loss_with_label_smoothing_matches_manual_cross_entropy():
    torch.manual_seed(0)
    head = SkeletonClsHead(num_classes=5, in_channels=8, label_smooth_eps=0.1)
    head.init_weights()
    feats = torch.randn(4, 8)
    labels = [0, 3, 4, 1]
    losses = head.loss(feats, samples(labels))
    scores = feats @ head.fc.weight.T + head.fc.bias
    targets = F.one_hot(torch.tensor(labels), 5).float() * 0.9 + 0.1 / 5
    expected = -(targets * scores.log_softmax(-1)).sum(-1).mean()
    torch.testing.assert_close(losses['loss_cls'], expected)


def test_predict_averages_clip_probabilities():
    torch.manual_seed(0)
    head = SkeletonClsHead(num_classes=3, in_channels=4).eval()
    feats = torch.randn(2 * 5, 4)  # 2 samples x 5 clips
    results = head.predict(feats, samples([0, 1]))
    probs = head(feats).softmax(-1).view(2, 5, 3).mean(1)
    for result, expected in zip(results, probs):
        torch.testing.assert_close(result.pred_score, expected)
        assert result.pred_label.item() == expected.argmax().item()
