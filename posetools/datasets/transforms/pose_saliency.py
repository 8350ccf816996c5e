"""Rasterise a clip's person boxes and keypoints into a saliency map on the token grid."""
from typing import Dict, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from posetools.registry import TRANSFORMS

SOURCES = ('box', 'keypoint')


@TRANSFORMS.register_module()
class PoseSaliency(BaseTransform):
    """Per-token saliency of the people in a clip, after the geometric augmentations.

    Put it after ``LoadClipPoses`` and the crops, resizes and flips, so the boxes and
    keypoints are where the people are in the final frames, and pack the result with
    ``dict(type='mmaction.PackActionInputs', meta_keys=('img_shape', 'saliency'))``: the
    data sample's ``saliency`` is then this array, for a directed masker.

    Computed directly at token resolution. Coordinates are mmaction2's (pixel ``k`` covers
    ``[k, k + 1)``). For frame ``f`` (``t`` frames of ``H x W``) and token cell ``(i, j)``,
    which covers ``[j p, (j + 1) p) x [i p, (i + 1) p)`` for ``p = patch_size``, with
    centre ``(c_x, c_y) = ((j + 0.5) p, (i + 0.5) p)``:

    - ``'box'``: ``B_f(i, j) = box_value * max_m (ov(x1, x2, j) * ov(y1, y2, i)) / p^2``
      with ``ov(a, b, k) = clip(min(b, (k + 1) p) - max(a, k p), 0, p)``, the share of the
      cell covered by person ``m``'s box ``(x1, y1, x2, y2)`` (0 for an empty box,
      ``x2 <= x1`` or ``y2 <= y1``);
    - ``'keypoint'``: ``K_f(i, j) = max_{m, v: score > 0} exp(-((c_x - x_mv)^2 +
      (c_y - y_mv)^2) / (2 sigma^2))``, a Gaussian of ``sigma`` pixels around each scored
      keypoint, evaluated at the cell centre;
    - ``S_f(i, j)``: the max of the chosen sources; then tubelet ``k`` of ``tubelet_size``
      frames takes ``saliency[k, i, j] = max_{f in k} S_f(i, j)``.

    Values lie in ``[0, 1]``; a clip without persons (M = 0) gets all zeros. Cost: a few
    numpy operations on arrays of at most (M, t, V, H', W') elements, ~0.2 ms for 2 persons
    in 8 frames of 64 x 64 at patch 8 (~6% of that SynthAction clip's decode, crop, resize
    and flip; ``tests/datasets/test_pose_saliency.py`` checks <= 10%), ~1 ms for 3 persons
    in 16 frames of 224 x 224 at patch 16.

    Required Keys:

        - img_shape
        - keypoint: (M, t, V, 2)
        - keypoint_score: (M, t, V)
        - gt_bboxes: (M, t, 4) ``(x1, y1, x2, y2)``

    Added Keys:

        - saliency: (t // tubelet_size, H // patch_size, W // patch_size) float32

    Removed Keys:

        - gt_bboxes (``mmaction.PackActionInputs`` would pack it as AVA instances, which
          need ``gt_labels``)

    Args:
        patch_size (int): Token side in pixels; H and W must be multiples of it.
        tubelet_size (int): Frames per token; t must be a multiple of it. Defaults to 2.
        sources (Sequence[str]): ``'box'`` and/or ``'keypoint'``. Defaults to both.
        sigma (float, optional): Keypoint Gaussian standard deviation in pixels of the
            final frames. Defaults to None: ``patch_size / 2``.
        box_value (float): Saliency of a cell fully inside a box, in ``(0, 1]``.
            Defaults to 1.0.
    """

    def __init__(self,
                 patch_size: int,
                 tubelet_size: int = 2,
                 sources: Sequence[str] = SOURCES,
                 sigma: Optional[float] = None,
                 box_value: float = 1.0) -> None:
        sources = tuple(sources)
        if not sources or any(source not in SOURCES for source in sources):
            raise ValueError(f'sources must be a non-empty subset of {SOURCES}, got {sources}')
        sigma = patch_size / 2 if sigma is None else float(sigma)
        if patch_size < 1 or tubelet_size < 1 or sigma <= 0 or not 0 < box_value <= 1:
            raise ValueError('PoseSaliency needs patch_size >= 1, tubelet_size >= 1, '
                             f'sigma > 0 and 0 < box_value <= 1, got {patch_size}, '
                             f'{tubelet_size}, {sigma}, {box_value}')
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.sources = sources
        self.sigma = sigma
        self.box_value = box_value

    def transform(self, results: Dict) -> Dict:
        """Add ``saliency`` (T', H', W') from the clip's boxes and keypoints."""
        height, width = results['img_shape']
        keypoint = results['keypoint']  # (M, t, V, 2)
        boxes = results.pop('gt_bboxes')  # (M, t, 4)
        persons, frames = keypoint.shape[:2]
        if height % self.patch_size or width % self.patch_size or frames % self.tubelet_size:
            raise ValueError(
                f"{results.get('filename', 'a sample')}: PoseSaliency needs frames of a "
                f'multiple of patch_size={self.patch_size} and a multiple of '
                f'tubelet_size={self.tubelet_size} frames, got {frames} frames of '
                f'{(height, width)}')
        rows, cols = height // self.patch_size, width // self.patch_size
        saliency = np.zeros((frames, rows, cols), np.float32)
        if persons and 'box' in self.sources:
            np.maximum(saliency, self._box_cover(boxes, rows, cols), out=saliency)
        if persons and 'keypoint' in self.sources:
            np.maximum(saliency, self._keypoint_peaks(keypoint, results['keypoint_score'],
                                                      rows, cols), out=saliency)
        results['saliency'] = saliency.reshape(
            frames // self.tubelet_size, self.tubelet_size, rows, cols).max(axis=1)
        return results

    def _box_cover(self, boxes: np.ndarray, rows: int, cols: int) -> np.ndarray:
        """(t, H', W') ``box_value`` times the largest share of each cell in one box.

        Args:
            boxes: (M, t, 4) boxes ``(x1, y1, x2, y2)``.
            rows: H', token rows.
            cols: W', token columns.
        """
        p = self.patch_size
        x1, y1, x2, y2 = np.moveaxis(np.asarray(boxes, np.float32), -1, 0)  # each (M, t)

        def overlap(low: np.ndarray, high: np.ndarray, cells: int) -> np.ndarray:
            edges = np.arange(cells + 1, dtype=np.float32) * p
            inside = (np.minimum(high[..., None], edges[1:]) -
                      np.maximum(low[..., None], edges[:-1]))  # (M, t, cells)
            return np.clip(inside, 0, p) / p

        cover = overlap(y1, y2, rows)[..., :, None] * overlap(x1, x2, cols)[..., None, :]
        return self.box_value * cover.max(axis=0)  # (M, t, H', W') -> (t, H', W')

    def _keypoint_peaks(self, keypoint: np.ndarray, score: np.ndarray, rows: int,
                        cols: int) -> np.ndarray:
        """(t, H', W') the largest keypoint Gaussian at each cell centre.

        Args:
            keypoint: (M, t, V, 2) keypoints.
            score: (M, t, V) keypoint scores; keypoints with score <= 0 are left out.
            rows: H', token rows.
            cols: W', token columns.
        """
        keypoint = np.asarray(keypoint, np.float32)
        centres_y = (np.arange(rows, dtype=np.float32) + 0.5) * self.patch_size
        centres_x = (np.arange(cols, dtype=np.float32) + 0.5) * self.patch_size
        scale = np.float32(-0.5 / self.sigma**2)
        near_y = np.exp(scale * (centres_y - keypoint[..., 1:2])**2)  # (M, t, V, H')
        near_x = np.exp(scale * (centres_x - keypoint[..., 0:1])**2)  # (M, t, V, W')
        near_x *= np.asarray(score)[..., None] > 0
        peaks = near_y[..., :, None] * near_x[..., None, :]  # (M, t, V, H', W')
        return peaks.max(axis=(0, 2))

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'tubelet_size={self.tubelet_size}, sources={self.sources}, '
                f'sigma={self.sigma}, box_value={self.box_value})')
