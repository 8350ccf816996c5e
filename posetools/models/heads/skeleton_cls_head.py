"""Linear classification head on pooled skeleton features."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from mmaction.models.heads.base import BaseHead
from mmengine.model.weight_init import trunc_normal_

from posetools.registry import MODELS


@MODELS.register_module()
class SkeletonClsHead(BaseHead):
    """Dropout + linear classifier on (N, D) clip features.

    Loss, label smoothing, top-k logging and multi-clip averaging come from
    mmaction2's ``BaseHead``; only the projection is defined here.

    Args:
        num_classes (int): Number of action classes.
        in_channels (int): Feature width D of the backbone.
        loss_cls (dict): Loss config. Defaults to
            ``dict(type='mmaction.CrossEntropyLoss')``.
        dropout (float): Dropout before the classifier. Defaults to 0.
        average_clips (str): How test clips are averaged (``'prob'``, ``'score'``
            or None). Defaults to ``'prob'``.
        **kwargs: Passed to ``BaseHead`` (``label_smooth_eps``, ``topk``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 loss_cls: Dict = dict(type='mmaction.CrossEntropyLoss'),
                 dropout: float = 0.,
                 average_clips: Optional[str] = 'prob',
                 **kwargs) -> None:
        super().__init__(
            num_classes, in_channels, loss_cls=loss_cls, average_clips=average_clips, **kwargs)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(in_channels, num_classes)

    def init_weights(self) -> None:
        """Truncated-normal weights (std 0.02), zero bias."""
        trunc_normal_(self.fc.weight, std=.02)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """(N, D) features -> (N, num_classes) scores."""
        return self.fc(self.dropout(x))
