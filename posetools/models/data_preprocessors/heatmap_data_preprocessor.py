"""A data preprocessor that draws PoseConv3D heatmap volumes on the training device."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.models import ActionDataPreprocessor
from mmaction.utils import SampleList

from posetools.models.data_preprocessors.heatmap_volumes import draw_heatmap_volumes
from posetools.registry import MODELS
from posetools.structures.skeletons import (COCO17_LEFT, COCO17_LEFT_LIMBS, COCO17_LIMBS,
                                            COCO17_RIGHT, COCO17_RIGHT_LIMBS, flip_permutation)


@MODELS.register_module()
class HeatmapDataPreprocessor(ActionDataPreprocessor):
    """``mmaction.ActionDataPreprocessor`` that first turns keypoint clips into heatmap volumes.

    The data pipeline stops after the keypoint augmentations with
    ``posetools.FormatKeypointClips`` + ``mmaction.PackActionInputs``, so data-loader
    workers only decode and augment keypoints; this preprocessor moves the batch to the
    model's device and draws the volumes there, all clips at once. It takes
    ``GeneratePoseTarget``'s arguments and gives its volumes (``NCTHW_Heatmap`` layout, the
    same values up to the last bits of ``exp``; ``tests/models/test_heatmap_data_preprocessor.py``).

    Inputs per sample: (clips, M, T, V, 3) float32 with x, y and score; samples may have
    different person counts M (padded with score 0). ``img_shape`` (the same for the whole
    batch, as after ``Resize`` / ``CenterCrop``) comes from the data samples' metainfo.
    Output: (N, clips, C, T, H, W), or 2 * clips with ``double`` outside training, then
    normalisation and blending as ``ActionDataPreprocessor`` (``format_shape='NCTHW'``).

    Args:
        sigma, use_score, with_kp, with_limb, skeletons, left_kp, right_kp, left_limb,
            right_limb, scaling: as ``GeneratePoseTarget``.
        double (bool): As ``GeneratePoseTarget``'s, but only outside training: validation
            and test share the model's preprocessor, so both get the flipped volumes
            (mmaction2's recipes flip in the test pipeline only). Defaults to False.
        **kwargs: ``ActionDataPreprocessor`` arguments (``format_shape`` defaults to
            ``'NCTHW'``).
    """

    def __init__(self,
                 sigma: float = 0.6,
                 use_score: bool = True,
                 with_kp: bool = True,
                 with_limb: bool = False,
                 skeletons: Sequence[Sequence[int]] = COCO17_LIMBS,
                 double: bool = False,
                 left_kp: Sequence[int] = COCO17_LEFT,
                 right_kp: Sequence[int] = COCO17_RIGHT,
                 left_limb: Sequence[int] = COCO17_LEFT_LIMBS,
                 right_limb: Sequence[int] = COCO17_RIGHT_LIMBS,
                 scaling: float = 1.,
                 format_shape: str = 'NCTHW',
                 **kwargs) -> None:
        if not (with_kp or with_limb):
            raise ValueError('At least one of "with_limb" and "with_kp" should be set as True.')
        super().__init__(format_shape=format_shape, **kwargs)
        self.sigma = sigma
        self.use_score = use_score
        self.with_kp = with_kp
        self.with_limb = with_limb
        self.skeletons = tuple(tuple(limb) for limb in skeletons)
        self.double = double
        self.flip_sides = (left_kp, right_kp) if with_kp else (left_limb, right_limb)
        self.scaling = scaling

    def preprocess(self, inputs: List[torch.Tensor], data_samples: SampleList,
                   training: bool = False) -> Tuple[torch.Tensor, SampleList]:
        """Heatmap volumes of the keypoint clips, then ``ActionDataPreprocessor.preprocess``."""
        volumes = self.heatmap_volumes(inputs, self._heatmap_size(data_samples),
                                       double=self.double and not training)
        return super().preprocess(list(volumes), data_samples, training)

    def heatmap_volumes(self, inputs: List[torch.Tensor], size: Tuple[int, int],
                        double: bool = False) -> torch.Tensor:
        """(N, clips [x2 with double], C, T, H, W) volumes of N (clips, M, T, V, 3) inputs."""
        shapes = [tuple(clips.shape) for clips in inputs]
        if any(len(shape) != 5 or shape[-1] != 3 for shape in shapes) or \
                len({(shape[0], ) + shape[2:] for shape in shapes}) != 1:
            raise ValueError(
                'HeatmapDataPreprocessor needs inputs of shape (clips, M, T, V, 3) with the '
                f'same clips, T and V in a batch (FormatKeypointClips), got {shapes}')
        persons = max(clips.shape[1] for clips in inputs)
        batch = torch.stack([F.pad(clips.float(), (0, 0, 0, 0, 0, 0, 0, persons - clips.shape[1]))
                             for clips in inputs])  # N, clips, M, T, V, 3
        samples, num_clips = batch.shape[:2]
        batch = batch.flatten(0, 1)  # N * clips, M, T, V, 3
        keypoint = batch[..., :2] * self.scaling
        if self.use_score:
            score = batch[..., 2]  # the batch's padded persons have score 0: not drawn
        else:  # peak 1 for every keypoint of the sample's own persons, as mmaction2
            counts = torch.tensor([clips.shape[1] for clips in inputs], device=batch.device)
            present = torch.arange(persons, device=batch.device) < counts[:, None]  # N, M
            score = present.repeat_interleave(num_clips, dim=0)[:, :, None, None].float()
            score = score.expand(batch.shape[:-1])  # N * clips, M, T, V
        heatmap = draw_heatmap_volumes(keypoint, score, size, self.sigma, self.with_kp,
                                       self.with_limb, self.skeletons)  # B, T, C, H, W
        heatmap = heatmap.unflatten(0, (samples, num_clips)).transpose(2, 3)  # N, clips, C, T, H, W
        if double:
            swap = flip_permutation(heatmap.shape[2], *self.flip_sides)
            heatmap = torch.cat([heatmap, heatmap.flip(-1)[:, :, swap]], dim=1)
        return heatmap

    def _heatmap_size(self, data_samples: Optional[SampleList]) -> Tuple[int, int]:
        """(H, W) of the volumes: the batch's common ``img_shape`` times ``scaling``."""
        shapes = {tuple(sample.img_shape[:2]) if 'img_shape' in sample else None
                  for sample in data_samples or []}
        if len(shapes) != 1 or None in shapes:
            raise ValueError(
                'HeatmapDataPreprocessor needs one img_shape for the whole batch in the data '
                f"samples' metainfo (end the pipeline with a fixed-size Resize or CenterCrop), "
                f'found {sorted(shapes, key=str)}')
        height, width = shapes.pop()
        return int(height * self.scaling + 0.5), int(width * self.scaling + 0.5)
