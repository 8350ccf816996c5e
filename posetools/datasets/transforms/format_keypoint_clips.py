"""Keypoint clips for heatmaps drawn on the training device (``HeatmapDataPreprocessor``)."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from posetools.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FormatKeypointClips(BaseTransform):
    """Stack keypoints and scores into per-clip arrays in place of ``GeneratePoseTarget``.

    Put it where the heatmap step and ``FormatShape('NCTHW_Heatmap')`` would be, followed
    by ``mmaction.PackActionInputs``, and use ``posetools.HeatmapDataPreprocessor`` as the
    model's data preprocessor: it draws the same volumes on the model's device.

    Required Keys:

        - keypoint (M x clips*T x V x 2, pixels), cast to float32 as ``GeneratePoseTarget``
        - keypoint_score (optional, M x clips*T x V; ones if missing), cast to float32 (as
          ``mmaction.PoseDecode`` already does)
        - num_clips, clip_len (from ``UniformSampleFrames``)

    Modified Keys:

        - keypoint: float32 (clips, M, T, V, 3) with x, y and score
    """

    def transform(self, results: Dict) -> Dict:
        """Replace ``results['keypoint']`` by (clips, M, T, V, 3) float32 x, y, score."""
        keypoint = np.asarray(results['keypoint']).astype(np.float32)
        if keypoint.ndim != 4 or keypoint.shape[-1] != 2:
            raise ValueError('FormatKeypointClips needs keypoint of shape (M, T, V, 2), got '
                             f'{keypoint.shape}')
        persons, frames, joints, _ = keypoint.shape
        score = results.get('keypoint_score')
        score = np.ones((persons, frames, joints), np.float32) if score is None else \
            np.asarray(score, np.float32)
        num_clips, clip_len = results['num_clips'], results['clip_len']
        if frames != num_clips * clip_len or score.shape != (persons, frames, joints):
            raise ValueError(
                f'FormatKeypointClips: keypoint {keypoint.shape} and keypoint_score '
                f'{score.shape} do not hold num_clips={num_clips} x clip_len={clip_len} frames')
        clips = np.concatenate([keypoint, score[..., None]], axis=-1)  # M, clips*T, V, 3
        clips = clips.reshape(persons, num_clips, clip_len, joints, 3).transpose(1, 0, 2, 3, 4)
        results['keypoint'] = np.ascontiguousarray(clips)
        return results
