"""VideoMAE / MAE-ST pretraining: mask tokens, encode the visible ones, reconstruct the rest."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModel

from posetools.models.layers import init_transformer_weights
from posetools.registry import MASKERS, MODELS


@MODELS.register_module()
class VideoMAE(BaseModel):
    """Masked-autoencoder pretraining on clips; wires a masker, backbone, neck and head.

    ``loss``: the masker draws (N, L) masks on the input's device, the backbone
    (``VideoViT(out_type='tokens')``) encodes the visible tokens, the neck
    (``MAEDecoder``) predicts the masked tokens' pixels and the head (``MAEPixelHead``)
    scores them. ``tensor`` returns the predictions and the mask. In training the last
    mask drawn stays in ``last_mask`` (for ``MaskVisualizationHook``).

    Args:
        backbone (dict): The encoder.
        neck (dict): The decoder.
        head (dict): The reconstruction loss.
        masker (dict): A ``MASKERS`` config, e.g. ``dict(type='TubeMasker', mask_ratio=0.9)``.
        data_preprocessor (dict, optional): E.g. ``mmaction.ActionDataPreprocessor``
            (inputs (N, clips, C, T, H, W) are flattened to N * clips clips).
        init_cfg (dict | list[dict], optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 backbone: Dict,
                 neck: Dict,
                 head: Dict,
                 masker: Dict,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.head = MODELS.build(head)
        self.masker = MASKERS.build(masker)
        self.last_mask: Optional[torch.Tensor] = None  # (N, L): MaskVisualizationHook's

    def init_weights(self) -> None:
        """VideoMAE's pretraining init: Xavier-uniform linears in the encoder too."""
        super().init_weights()
        if self.init_cfg is None:
            init_transformer_weights(self.backbone, 'xavier')

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[Dict[str, torch.Tensor], Tuple[torch.Tensor, ...]]:
        """``mode='loss'``: ``{'loss': ...}``; ``'tensor'``: (predictions, mask).

        Args:
            inputs (torch.Tensor): Normalised clips (N, C, T, H, W) or (N, clips, C, T, H, W).
            data_samples (list, optional): Labels are not needed; a ``saliency`` in their
                metainfo (``PoseSaliency``, packed by ``PackActionInputs``' meta_keys) goes
                to the masker.
            mode (str): ``'loss'`` or ``'tensor'``.
        """
        videos = inputs.flatten(0, 1) if inputs.dim() == 6 else inputs  # (N, C, T, H, W)
        grid_size = self.backbone.grid_size
        mask = self.masker(videos.shape[0], grid_size, videos.device,
                           saliency=self.saliency(data_samples, grid_size), videos=videos)
        if self.training:
            self.last_mask = mask.detach()
        pred = self.neck(self.backbone(videos, mask), mask)  # (N, L_masked, t*p*p*C)
        if mode == 'loss':
            return self.head.loss(pred, videos, mask)
        if mode == 'tensor':
            return pred, mask
        raise ValueError(f'VideoMAE supports mode "loss" and "tensor", got {mode!r} '
                         '(pretraining has no predictions to evaluate: set val_cfg=None)')

    @staticmethod
    def saliency(data_samples: Optional[list],
                 grid_size: Tuple[int, int, int]) -> Optional[torch.Tensor]:
        """(N * clips, T', H', W') saliency stacked from the data samples, or None.

        None unless every data sample carries one (old configs are unchanged)."""
        if not data_samples or not all('saliency' in sample for sample in data_samples):
            return None
        stacked = torch.stack([torch.as_tensor(sample.saliency) for sample in data_samples])
        return stacked.view(-1, *grid_size)
