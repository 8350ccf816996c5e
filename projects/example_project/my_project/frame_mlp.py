"""A per-frame MLP backbone: the smallest skeleton model that fits posetools' recipes."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from posetools.registry import MODELS


@MODELS.register_module()
class FrameMLP(BaseModule):
    """Embed each person's pose per frame with an MLP, then average frames and persons.

    Args:
        num_joints (int): Joints per person V. Defaults to 25.
        in_channels (int): Channels per joint C. Defaults to 3.
        hidden_dims (int): Output width D. Defaults to 128.
    """

    def __init__(self, num_joints: int = 25, in_channels: int = 3, hidden_dims: int = 128) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(num_joints * in_channels, hidden_dims),
            nn.GELU(),
            nn.Linear(hidden_dims, hidden_dims),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, M, T, V, C) skeletons -> (N, D) features."""
        batch, persons, frames, joints, channels = x.shape
        x = self.mlp(x.reshape(batch, persons, frames, joints * channels))  # (N, M, T, D)
        return x.mean(dim=(1, 2))
