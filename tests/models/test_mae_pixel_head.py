"""MAEPixelHead: VideoMAE's normalised tubelet targets and the masked-token MSE."""
import numpy as np
import pytest
import torch

from posetools.models import MAEPixelHead

MEAN, STD = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])


def videomae_targets(videos: np.ndarray, t: int, p: int, norm_pix: bool) -> np.ndarray:
    """VideoMAE's labels for every token, written out with loops: (N, L, t*p*p*C)."""
    pixels = videos * STD[None, :, None, None, None] + MEAN[None, :, None, None, None]
    batch, channels, frames, height, width = pixels.shape
    tokens = []
    for n in range(batch):
        rows = []
        for ti in range(frames // t):
            for hi in range(height // p):
                for wi in range(width // p):
                    tube = pixels[n, :, ti * t:(ti + 1) * t, hi * p:(hi + 1) * p,
                                  wi * p:(wi + 1) * p]  # C, t, p, p
                    tube = tube.transpose(1, 2, 3, 0).reshape(-1, channels)  # (t p p), C
                    if norm_pix:
                        tube = (tube - tube.mean(0)) / (tube.std(0, ddof=1) + 1e-6)
                    rows.append(tube.reshape(-1))  # (t p p C)
        tokens.append(rows)
    return np.array(tokens)


@pytest.mark.parametrize('norm_pix', [True, False])
def test_targets_and_loss_match_videomae(norm_pix):
    rng = np.random.default_rng(0)
    videos = rng.normal(size=(2, 3, 4, 8, 12))
    head = MAEPixelHead(patch_size=4, tubelet_size=2, norm_pix=norm_pix)
    mask = torch.zeros(2, 12, dtype=torch.bool)  # 2 x 2 x 3 tokens
    mask[0, [1, 4, 5, 11]] = True
    mask[1, [0, 2, 3, 7]] = True
    expected = videomae_targets(videos, 2, 4, norm_pix)[mask.numpy()].reshape(2, 4, 96)
    target = head.target(torch.tensor(videos, dtype=torch.float32), mask)
    np.testing.assert_allclose(target.numpy(), expected, rtol=1e-4, atol=1e-4)

    pred = torch.randn(2, 4, 96)
    loss = head.loss(pred, torch.tensor(videos, dtype=torch.float32), mask)['loss']
    assert loss.item() == pytest.approx(((pred.numpy() - expected)**2).mean(), rel=1e-4)
    with pytest.raises(ValueError, match=r'predictions \(2, 4, 95\) do not match'):
        head.loss(pred[..., :95], torch.tensor(videos, dtype=torch.float32), mask)
