"""mmaction2's GeneratePoseTarget (PoseConv3D heatmap volumes), vectorised: same array, faster."""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform

from posetools.registry import TRANSFORMS
from posetools.structures.skeletons import (COCO17_LEFT, COCO17_LEFT_LIMBS, COCO17_LIMBS,
                                            COCO17_RIGHT, COCO17_RIGHT_LIMBS, flip_permutation)


def gaussian_windows(low: np.ndarray, high: np.ndarray, sigma: float,
                     size: int) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel range ``[start, stop)`` of Gaussians spanning ``[low, high]``, as mmaction computes it.

    ``start = max(int(low - 3 * sigma), 0)`` and ``stop = min(int(high + 3 * sigma) + 1, size)``
    in float64 with ``int()`` truncating towards zero (not flooring): a keypoint up to
    ``3 * sigma + 1`` pixels left of / above the image still reaches pixel 0. Empty where
    ``stop <= start``. Bounds are clipped to ``[0, size]`` so that far-away points cannot
    overflow the integer cast.
    """
    with np.errstate(invalid='ignore'):  # NaN bounds: their items are dropped later
        start = np.clip(np.trunc(low.astype(np.float64) - 3 * sigma), 0, size).astype(np.int64)
        stop = np.clip(np.trunc(high.astype(np.float64) + 3 * sigma) + 1, 0, size).astype(np.int64)
    return start, stop


def squared_length(vector: np.ndarray) -> np.ndarray:
    """``x ** 2 + y ** 2`` of float32 (..., 2) vectors in float64, as mmaction2's scalar code."""
    vector = vector.astype(np.float64)
    return vector[..., 0]**2 + vector[..., 1]**2


def squared_distance(x: np.ndarray, y: np.ndarray, to_x: np.ndarray,
                     to_y: np.ndarray) -> np.ndarray:
    """Float32 ``(x - to_x)**2 + (y - to_y)**2`` with few temporaries (same bits)."""
    distance = np.subtract(x, to_x)
    np.square(distance, out=distance)
    y_part = np.subtract(y, to_y)
    np.square(y_part, out=y_part)
    distance += y_part
    return distance


def block_widths(width: int) -> np.ndarray:
    """Row lengths of the dense blocks: 1, 2, 3, 4, 6, 8, 12, ... (at most 1/3 padding), width."""
    sizes = [size for power in range(width.bit_length() + 1)
             for size in (2**power, 3 * 2**power // 2) if size < width]
    return np.unique(np.array(sizes + [width], np.int64))


@TRANSFORMS.register_module()
class GeneratePoseTarget(BaseTransform):
    """``mmaction.GeneratePoseTarget`` vectorised over frames, persons and keypoints/limbs.

    Renders 2D keypoints as pseudo heatmap volumes for PoseConv3D. mmaction2 draws every
    (person, frame, keypoint or limb) Gaussian in its own Python calls; this transform
    computes all of them at once: the rows of all their windows, grouped by width into a
    few dense (width x rows) blocks, are evaluated with mmaction2's float operations and
    combined into the volume by ``np.maximum.at``. The output is mmaction2's bit for bit
    (``tests/datasets/test_generate_pose_target.py`` allows 1e-5), about 30x faster for
    joints and 25x for limbs of a 2-person 48 x 17 x 56 x 56 volume
    (``tools/analysis/benchmark.py heatmap``).

    mmaction2's semantics are kept, quirks included:

    - every Gaussian is truncated to a window: ``[int(mu - 3 sigma), int(mu + 3 sigma)]``
      around a keypoint, the bounding box of both ends widened by ``3 sigma`` for a limb,
      clipped to the image; ``int()`` truncates towards zero (see ``gaussian_windows``);
    - a keypoint is skipped if its score is below ``eps = 1e-4``, a limb if the smaller
      score of its two ends is, compared in float64 (a float32 score of 1e-4 is below);
      ``use_score=False`` (or no ``keypoint_score``) draws every keypoint with peak 1;
    - the Gaussian peak is the score; a limb's value is ``exp(-d^2 / (2 sigma^2))`` times
      the smaller end score, ``d`` the distance to the segment, computed in float64 from
      float32 distances (keypoints are all float32); a limb whose ends are less than 1
      pixel apart (squared length in float64) is drawn as its start keypoint with the
      start score;
    - overlapping Gaussians (persons, and limbs on joints) combine with ``max``;
    - with both ``with_kp`` and ``with_limb`` the volume has ``V + L`` channels, but limb
      ``i`` is drawn into channel ``i`` (maxed onto keypoint ``i``) and the last ``L``
      channels stay zero, as in mmaction2 1.2.0;
    - ``double=True`` appends the horizontally flipped volume along the first axis with
      left/right channels swapped (``left_kp``/``right_kp`` if ``with_kp``, else
      ``left_limb``/``right_limb``);
    - the output goes to ``heatmap_imgs`` if ``imgs`` is already in ``results``.

    Unlike mmaction2, keypoints with non-finite coordinates are skipped (mmaction2 raises
    on them unless their score is below ``eps``).

    Required Keys:

        - keypoint (M x T x V x 2, pixel coordinates x, y)
        - keypoint_score (optional, M x T x V)
        - img_shape (H, W)

    Added Keys:

        - imgs (float32, T x C x H' x W', or 2T x C x H' x W' with ``double``; C is V with
          ``with_kp``, L = len(skeletons) with ``with_limb``, V + L with both,
          H' = int(H * scaling + 0.5), W' likewise), or
        - heatmap_imgs (the same, when ``imgs`` is already present)

    Args:
        sigma (float): The sigma of the Gaussians, in output pixels. Defaults to 0.6.
        use_score (bool): Use the keypoint scores as the peaks of the Gaussians.
            Defaults to True.
        with_kp (bool): Generate heatmaps of keypoints. Defaults to True.
        with_limb (bool): Generate heatmaps of limbs. At least one of ``with_kp`` and
            ``with_limb`` must be True. Defaults to False.
        skeletons (tuple[tuple[int]]): The limbs, as (start, end) keypoint indices.
            Defaults to ``COCO17_LIMBS`` (mmaction2's 17 COCO-17p limbs).
        double (bool): Also output the flipped heatmaps. Defaults to False.
        left_kp (tuple[int]): Left keypoints, swapped with ``right_kp`` when flipping.
            Defaults to ``COCO17_LEFT``.
        right_kp (tuple[int]): Right keypoints. Defaults to ``COCO17_RIGHT``.
        left_limb (tuple[int]): Left limbs, swapped with ``right_limb`` when flipping.
            Defaults to ``COCO17_LEFT_LIMBS``.
        right_limb (tuple[int]): Right limbs. Defaults to ``COCO17_RIGHT_LIMBS``.
        scaling (float): Ratio of the heatmap size to ``img_shape``; keypoints are scaled
            by it too. Defaults to 1.
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
                 scaling: float = 1.) -> None:
        if not (with_kp or with_limb):
            raise ValueError('At least one of "with_limb" and "with_kp" should be set as True.')
        self.sigma = sigma
        self.use_score = use_score
        self.with_kp = with_kp
        self.with_limb = with_limb
        self.skeletons = skeletons
        self.double = double
        self.left_kp = left_kp
        self.right_kp = right_kp
        self.left_limb = left_limb
        self.right_limb = right_limb
        self.scaling = scaling
        self.eps = 1e-4  # scores below it are not drawn (mmaction2's constant)

    def transform(self, results: Dict) -> Dict:
        """Add the heatmap volume of ``results['keypoint']`` as ``imgs`` (or ``heatmap_imgs``)."""
        heatmap = self.generate_heatmaps(results)  # T, C, H, W
        if self.double:
            left, right = ((self.left_kp, self.right_kp) if self.with_kp else
                           (self.left_limb, self.right_limb))
            swap = flip_permutation(heatmap.shape[1], left, right)
            heatmap = np.concatenate([heatmap, heatmap[..., ::-1][:, swap]])  # 2T, C, H, W
        results['heatmap_imgs' if 'imgs' in results else 'imgs'] = heatmap
        return results

    def generate_heatmaps(self, results: Dict) -> np.ndarray:
        """The (T, C, H, W) float32 heatmap volume of one sample (without ``double``)."""
        keypoint, score, (height, width) = self._inputs(results)
        persons, frames, joints, _ = keypoint.shape
        channels = joints * self.with_kp + len(self.skeletons) * self.with_limb
        heatmap = np.zeros((frames, channels, height, width), np.float32)
        if heatmap.size == 0 or persons == 0:
            return heatmap

        # mmaction2 compares numpy scalars with the Python float eps: in float64
        drawn = ~(score.astype(np.float64) < self.eps)  # M, T, V
        if self.with_kp:  # one Gaussian per (person, frame, keypoint v), into channel v
            image = np.arange(frames)[:, None] * channels + np.arange(joints)  # T, V
            self._draw(heatmap, image, keypoint, None, score, keep=drawn)

        if self.with_limb:  # one per (person, frame, limb l), into channel l (sic, see above)
            limbs = np.asarray(self.skeletons, np.int64).reshape(-1, 2)
            image = np.arange(frames)[:, None] * channels + np.arange(len(limbs))  # T, L
            start, end = keypoint[:, :, limbs[:, 0]], keypoint[:, :, limbs[:, 1]]  # M, T, L, 2
            start_score, end_score = score[..., limbs[:, 0]], score[..., limbs[:, 1]]  # M, T, L
            keep = drawn[..., limbs[:, 0]] & drawn[..., limbs[:, 1]]  # both scores >= eps
            # ends less than 1 pixel apart (in float64, as numpy gives for float32 scalar ** 2)
            # are drawn as the start keypoint with its score (mmaction2's generate_a_heatmap)
            point = squared_length(start - end) < 1
            self._draw(heatmap, image, start, None, start_score, keep=keep & point)
            self._draw(heatmap, image, start, end, np.minimum(start_score, end_score),
                       keep=keep & ~point)
        return heatmap

    def _inputs(self, results: Dict) -> Tuple[np.ndarray, np.ndarray, Tuple[int, int]]:
        """Scaled float32 keypoints (M, T, V, 2), scores (M, T, V) and the heatmap size."""
        for key in ('keypoint', 'img_shape'):
            if key not in results:
                raise KeyError(f"GeneratePoseTarget needs results['{key}'], which is missing")
        keypoint = np.asarray(results['keypoint'])
        if keypoint.ndim != 4 or keypoint.shape[-1] != 2:
            raise ValueError('GeneratePoseTarget needs keypoint of shape (M, T, V, 2), got '
                             f'{keypoint.shape}')
        keypoint = keypoint.astype(np.float32)  # a copy, as mmaction2 scales in float32
        keypoint *= self.scaling
        if 'keypoint_score' in results:
            score = np.asarray(results['keypoint_score'])
            if score.shape != keypoint.shape[:3]:
                raise ValueError(f'keypoint_score has shape {score.shape}, expected '
                                 f'{keypoint.shape[:3]} (keypoint is {keypoint.shape})')
        else:
            score = np.ones(keypoint.shape[:3], np.float32)
        if not self.use_score:
            score = np.ones_like(score)
        used = [index for pair in self.skeletons for index in pair] if self.with_limb else []
        if used and not 0 <= min(used) <= max(used) < keypoint.shape[2]:
            raise ValueError(f'skeletons use keypoints {min(used)}..{max(used)} but keypoint '
                             f'has {keypoint.shape[2]}')
        img_h, img_w = results['img_shape'][:2]
        size = (int(img_h * self.scaling + 0.5), int(img_w * self.scaling + 0.5))
        return keypoint, score, size

    def _draw(self, heatmap: np.ndarray, image: np.ndarray, start: np.ndarray,
              end: Optional[np.ndarray], value: np.ndarray, keep: np.ndarray) -> None:
        """Max the Gaussians of points (``end=None``) or segments into ``heatmap`` in place.

        Args:
            heatmap (np.ndarray): T x C x H x W float32 volume.
            image (np.ndarray): T x N index ``t * C + c`` of each item's channel image.
            start (np.ndarray): M x T x N x 2 points or segment starts.
            end (np.ndarray, optional): M x T x N x 2 segment ends, at least 1 pixel from
                ``start``; None for points.
            value (np.ndarray): M x T x N peak values (scores).
            keep (np.ndarray): M x T x N items to draw.
        """
        _, _, height, width = heatmap.shape
        low, high = (start, start) if end is None else (np.minimum(start, end),
                                                        np.maximum(start, end))
        x_start, x_stop = gaussian_windows(low[..., 0], high[..., 0], self.sigma, width)
        y_start, y_stop = gaussian_windows(low[..., 1], high[..., 1], self.sigma, height)
        keep = keep & (x_stop > x_start) & (y_stop > y_start) & np.isfinite(start).all(-1)
        if end is not None:
            keep &= np.isfinite(end).all(-1)
        kept = np.flatnonzero(keep)  # K items, each its window of rows
        if kept.size == 0:
            return
        start = start.reshape(-1, 2)[kept]
        items = dict(image=np.broadcast_to(image, keep.shape).reshape(-1)[kept],
                     x=x_start.reshape(-1)[kept], y=y_start.reshape(-1)[kept],
                     width=(x_stop - x_start).reshape(-1)[kept], start_x=start[:, 0].copy(),
                     start_y=start[:, 1].copy(), value=value.reshape(-1)[kept])
        if end is not None:
            end = end.reshape(-1, 2)[kept]
            items.update(end_x=end[:, 0].copy(), end_y=end[:, 1].copy(),
                         d2_ab=squared_length(start - end).astype(np.float32))
        heights = (y_stop - y_start).reshape(-1)[kept]

        # the rows of all windows (R), in groups of similar width drawn as dense blocks
        # (block width x rows: numpy's inner loops then run along the long axis)
        row_item = np.repeat(np.arange(kept.size), heights)  # R
        row_y = items['y'][row_item] + np.arange(row_item.size) - np.repeat(
            np.cumsum(heights) - heights, heights)
        row_width = items['width'][row_item]
        sizes = block_widths(width)
        row_block = np.searchsorted(sizes, row_width)  # the narrowest block that fits
        heatmap = heatmap.reshape(-1)
        for block_index in np.flatnonzero(np.bincount(row_block)):
            rows = np.flatnonzero(row_block == block_index)  # n
            block = sizes[block_index]
            item = row_item[rows]
            columns = np.arange(block)[:, None]
            x = items['x'][item] + columns  # block, n (padding beyond the window)
            y = row_y[rows]
            patch = self._patch(x.astype(np.float32), y.astype(np.float32), items, item)
            patch *= columns < row_width[rows]  # padding: 0, a max with it changes nothing
            index = np.minimum(x, width - 1, out=x)  # flat index into the volume
            index += (items['image'][item] * height + y) * width
            # row by row: neighbouring pixels, in order, are much faster for ufunc.at
            np.maximum.at(heatmap, index.T.reshape(-1), patch.T.reshape(-1))

    def _patch(self, x: np.ndarray, y: np.ndarray, items: Dict[str, np.ndarray],
               item: np.ndarray) -> np.ndarray:
        """Float32 Gaussian values at pixels x (w, n), y (n,) of rows of ``items[item]``.

        Same float operations as mmaction2 (the squared distances as a row plus a column,
        as its broadcasting does), so the values are the same bit for bit.
        """
        start_x, start_y = items['start_x'][item], items['start_y'][item]  # n
        value = items['value'][item]
        d2_start = squared_distance(x, y, start_x, start_y)
        if 'end_x' not in items:  # a keypoint: float32 Gaussian times the float32 score
            patch = np.negative(d2_start, out=d2_start)  # exp(-d2 / 2 / sigma**2), in place
            patch /= 2
            patch /= self.sigma**2
            np.exp(patch, out=patch)
            patch *= value.astype(np.float32)
            return patch
        end_x, end_y = items['end_x'][item], items['end_y'][item]
        d2_end = squared_distance(x, y, end_x, end_y)
        # mmaction2's squared limb length is a float64 scalar, rounded to float32 here
        d2_ab = items['d2_ab'][item]
        coeff = d2_start - d2_end  # projection onto the segment: (.. + d2_ab) / 2. / d2_ab
        coeff += d2_ab
        coeff /= 2.
        coeff /= d2_ab
        beyond_end = coeff >= 1
        # nearest point: the start where coeff <= 0 (clipping makes d2_line d2_start exactly:
        # start + 0 * (end - start) == start), the end where coeff >= 1, else the projection
        np.maximum(coeff, 0, out=coeff)
        d2_line = squared_distance(x, y, start_x + coeff * (end_x - start_x),
                                   start_y + coeff * (end_y - start_y))
        np.copyto(d2_line, d2_end, where=beyond_end)
        # mmaction2's limb patch is float64 (an int64 mask times float32 distances)
        patch = d2_line.astype(np.float64)
        patch *= -0.5  # == -d2 / 2. exactly
        patch /= self.sigma**2
        np.exp(patch, out=patch)
        patch *= value
        return patch.astype(np.float32)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(sigma={self.sigma}, use_score={self.use_score}, '
                f'with_kp={self.with_kp}, with_limb={self.with_limb}, '
                f'skeletons={self.skeletons}, double={self.double}, left_kp={self.left_kp}, '
                f'right_kp={self.right_kp}, left_limb={self.left_limb}, '
                f'right_limb={self.right_limb}, scaling={self.scaling})')
