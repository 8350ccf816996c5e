"""Select a video's poses at the sampled frames, so mmaction2's augmentations move them too."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from posetools.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadClipPoses(BaseTransform):
    """Take the poses of ``PoseVideoDataset`` at the frames ``mmaction.DecordDecode`` read.

    Put it right after the decoder (``VideoInit``, ``mmaction.SampleFrames``,
    ``mmaction.DecordDecode``, ``LoadClipPoses``), before any crop or resize. It first
    checks that the poses belong to these frames: the pose's ``total_frames`` must equal
    the video's (set by ``VideoInit``) and its ``img_shape`` the decoded frames' (set by
    the decoder); either mismatch raises a ``ValueError`` naming the video, its
    ``frame_dir`` and both values. An empty pose (no entry) has neither and is not checked.
    Then, like ``mmaction.PoseDecode``, it selects the frames ``frame_inds``: these index
    the video's frames directly, ``start_index`` and any looping already included
    (``SampleFrames`` adds them and ``DecordDecode`` reads exactly these frames).

    The keys it adds are those mmaction2's geometric transforms move with the frames:
    ``mmaction.MultiScaleCrop``, ``RandomResizedCrop``, ``RandomCrop`` and ``CenterCrop``
    shift ``keypoint`` and shift and clip ``gt_bboxes`` (to ``[0, w - 1]``), ``Resize``
    scales both, and ``Flip`` mirrors both and swaps ``left_kp``/``right_kp`` in
    ``keypoint`` and ``keypoint_score``; all use ``...`` indexing, so the (M, t, ...)
    shapes pass through (``tests/datasets/test_pose_video_dataset.py`` checks the first
    two, ``Resize`` and ``Flip`` against the pixels they move). Their quirks: a crop turns
    ``keypoint`` into float64; ``Flip`` leaves a keypoint whose x is exactly 0 where it is
    (mmaction's "undetected" mark); lazy mode refuses keypoints.

    Coordinates: mmaction2 maps ``x -> W - x`` (flip) and ``x -> x * s`` (resize), exact
    when pixel ``k`` covers ``[k, k + 1)``. Where pixel centres sit at integer coordinates
    (SynthAction, cv2 drawing), the exact maps are ``W - 1 - x`` and ``(x + 0.5) * s - 0.5``,
    so mmaction2 puts such points ``+1`` pixel off in x after a flip and ``0.5 * (1 - s)``
    pixels off after a resize by ``s`` (crops are exact). Measured on SynthAction's drawn
    bodies (the centroid of each frame's drawn pixels, moved by the transform as a keypoint,
    against the centroid of the transformed pixels, 41 frames): +1.00 after ``Flip``; -0.50
    at ``s = 2``, +0.25 at ``s = 0.5``, (-0.25, -0.12) at ``s = (1.5, 1.25)``. SynthAction's
    boxes end on the last drawn pixel, so after an enlarging resize they stop ``s - 1``
    pixels short of the body. Both are left as mmaction2 computes them: well below a token
    (8 or 16 pixels), the saliency's resolution.

    Required Keys:

        - pose (from ``PoseVideoDataset``)
        - frame_inds
        - total_frames
        - img_shape
        - filename

    Added Keys:

        - keypoint: (M, t, V, 2) float32
        - keypoint_score: (M, t, V) float32
        - gt_bboxes: (M, t, 4) float32 ``(x1, y1, x2, y2)``

    Removed Keys:

        - pose
    """

    def transform(self, results: Dict) -> Dict:
        """Check the pose against the video and select the sampled frames."""
        pose = results.pop('pose')
        sample = f"{results['filename']} (pose frame_dir {pose['frame_dir']!r})"
        if pose['total_frames'] is not None and pose['total_frames'] != results['total_frames']:
            raise ValueError(f"{sample}: the pose has {pose['total_frames']} frames but the "
                             f"video has {results['total_frames']}")
        img_shape = tuple(results['img_shape'])
        if pose['img_shape'] is not None and tuple(pose['img_shape']) != img_shape:
            raise ValueError(f"{sample}: the pose's img_shape {tuple(pose['img_shape'])} is "
                             f'not the decoded frames\' {img_shape} (put LoadClipPoses right '
                             'after the decoder, before any crop or resize)')
        frame_inds = np.asarray(results['frame_inds']).reshape(-1)
        keypoint = pose['keypoint']  # (M, T, V, 2)
        if len(keypoint):
            results['keypoint'] = keypoint[:, frame_inds].astype(np.float32)
            results['keypoint_score'] = pose['keypoint_score'][:, frame_inds].astype(np.float32)
            results['gt_bboxes'] = pose['person_box'][:, frame_inds].astype(np.float32)
        else:
            frames, joints = len(frame_inds), keypoint.shape[2]
            results['keypoint'] = np.zeros((0, frames, joints, 2), np.float32)
            results['keypoint_score'] = np.zeros((0, frames, joints), np.float32)
            results['gt_bboxes'] = np.zeros((0, frames, 4), np.float32)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}()'
