"""The SynthAction generator: samples, annotations and the pickles.

The generator animates an articulated 25-joint NTU RGB+D (Kinect v2) skeleton
with forward kinematics. Every action class is a parameterised joint-angle
trajectory (Euler angles per joint, root translation, whole-body yaw); each
sample randomises speed, phase, amplitude, the timing of the action inside
the clip, left/right mirroring, the performer's body size and proportions,
idle sway, the camera (yaw, pitch, distance, focal length) and an optional
second person standing beside the actor (doing the same action or idling).
The label always comes from person 0.

One generation yields a list of :class:`SynthSample` (clean 3D motion in a
world frame plus a pinhole :class:`SynthCamera`), from which

1. :meth:`SynthActionGenerator.to_ntu3d_annotation` builds an NTU-style 3D
   annotation (Kinect-like camera coordinates in metres, with sensor noise);
2. :meth:`SynthActionGenerator.to_coco2d_annotation` builds a COCO-17 2D
   annotation (camera projection in pixels, detector-like noise and scores).

Both follow the mmaction2 ``PoseDataset`` pickle format and share the NTU
``xsub`` style split (performer ids 1..40, the NTU cross-subject training
list), and :meth:`SynthActionGenerator.write_dataset` writes them.
"""
from __future__ import annotations

import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import mmengine
import numpy as np
from tqdm import tqdm

from posetools.datasets.synth.camera import SynthCamera
from posetools.datasets.synth.motions import (FPS, MOTIONS, SYNTH_CLASSES,
                                              Motion, fidget, idle_sway)
from posetools.datasets.synth.performers import (NTU_XSUB_TRAIN_PERFORMERS,
                                                 NUM_PERFORMERS, Body,
                                                 random_body)
from posetools.datasets.synth.skeleton import (ANKLES, COCO_FROM_NTU,
                                               COCO_OFFSETS, EXTREMITIES,
                                               FEET, HEAD, L_HIP,
                                               NTU_REST_OFFSETS, R_HIP, ROOT,
                                               euler_to_matrix,
                                               forward_kinematics, rot_y)

_FOOT_CLEARANCE = 0.04
"""Height of the lowest foot joint above the floor (metres)."""


@dataclass
class SynthSample:
    """One generated clip: clean world-frame motion plus its camera.

    Attributes:
        frame_dir: unique NTU-style name ``SsssCcccPpppRrrrAaaa``.
        label: action label of person 0 (index into :data:`SYNTH_CLASSES`).
        performer: performer id of person 0 (1..40).
        camera_id: camera bucket 1..3 from the yaw (left, front, right).
        replication: replication counter among samples sharing setup,
            camera, performer and action.
        joints3d: (M, T, 25, 3) clean NTU joints in world metres.
        coco3d: (M, T, 17, 3) clean 3D COCO keypoints in world metres.
        camera: the camera recording the clip.
        mirrored: whether the motion was left/right mirrored.
        partner: ``'none'``, ``'same'`` (second person does the same
            action) or ``'idle'`` (second person stands idle).
        noise_seed: seed of the sensor/detector noise added by the
            annotation converters.
    """

    frame_dir: str
    label: int
    performer: int
    camera_id: int
    replication: int
    joints3d: np.ndarray
    coco3d: np.ndarray
    camera: SynthCamera
    mirrored: bool
    partner: str
    noise_seed: int

    @property
    def total_frames(self) -> int:
        """Number of frames ``T``."""
        return self.joints3d.shape[1]

    @property
    def num_persons(self) -> int:
        """Number of persons ``M``."""
        return self.joints3d.shape[0]


class SynthActionGenerator:
    """Seeded generator of the SynthAction skeleton dataset.

    The per-sample plan (labels, split, performers, frame counts, camera
    yaw, names, seeds) is fixed in the constructor; every sample is then
    generated independently from its own spawned seed, so
    :meth:`generate_sample` gives identical results in any order.

    Args:
        num_samples: total number of clips (classes are balanced).
        num_classes: number of classes, the first ``num_classes`` of
            :data:`SYNTH_CLASSES` (2..12).
        min_frames: minimum clip length ``T``.
        max_frames: maximum clip length ``T`` (inclusive).
        seed: seed of everything.
        noise: scale of the observation noise: 3D joint noise (1 cm std,
            2 cm at hands/feet), 2D pixel noise (2 px std, more for low
            scores) and score jitter. ``0`` gives clean annotations.
        second_person_prob: probability of a second person; they do the
            same action with probability 0.5, else stand idle.
        mirror_prob: probability to mirror a sample left/right (e.g. wave
            with the left hand, turn to the right).
        fidget_prob: probability that a person adds a small unrelated
            gesture (touch the face, half-raise an arm, glance, ...).
        val_ratio: fraction of each class given to validation performers.
        img_shape: image size ``(h, w)`` of the 2D annotations.
    """

    def __init__(self,
                 num_samples: int = 1200,
                 num_classes: int = 10,
                 min_frames: int = 48,
                 max_frames: int = 80,
                 seed: int = 0,
                 noise: float = 1.0,
                 second_person_prob: float = 0.3,
                 mirror_prob: float = 0.5,
                 fidget_prob: float = 0.5,
                 val_ratio: float = 0.2,
                 img_shape: Tuple[int, int] = (480, 640)) -> None:
        if not 2 <= num_classes <= len(SYNTH_CLASSES):
            raise ValueError(f'num_classes must be in [2, '
                             f'{len(SYNTH_CLASSES)}], got {num_classes}')
        if num_samples < num_classes:
            raise ValueError('num_samples must be >= num_classes')
        if not 8 <= min_frames <= max_frames:
            raise ValueError('need 8 <= min_frames <= max_frames')
        if noise < 0 or not 0 <= second_person_prob <= 1 \
                or not 0 <= mirror_prob <= 1 or not 0 <= fidget_prob <= 1 \
                or not 0 < val_ratio < 1:
            raise ValueError('invalid noise/probability arguments')
        self.num_samples = num_samples
        self.num_classes = num_classes
        self.classes = SYNTH_CLASSES[:num_classes]
        self.min_frames = min_frames
        self.max_frames = max_frames
        self.seed = seed
        self.noise = noise
        self.second_person_prob = second_person_prob
        self.mirror_prob = mirror_prob
        self.fidget_prob = fidget_prob
        self.val_ratio = val_ratio
        self.img_shape = (int(img_shape[0]), int(img_shape[1]))
        plan_ss, body_ss, sample_ss = np.random.SeedSequence(seed).spawn(3)
        body_rng = np.random.default_rng(body_ss)
        self._bodies = [random_body(body_rng) for _ in range(NUM_PERFORMERS)]
        self._sample_seeds = sample_ss.spawn(num_samples)
        self._make_plan(np.random.default_rng(plan_ss))

    def _make_plan(self, rng: np.random.Generator) -> None:
        """Draw labels, split, performers, lengths, camera yaw and names."""
        n = self.num_samples
        labels = rng.permutation(np.arange(n) % self.num_classes)
        is_val = np.zeros(n, bool)
        for c in range(self.num_classes):
            idx = np.flatnonzero(labels == c)
            num_val = int(round(self.val_ratio * len(idx)))
            num_val = min(max(num_val, 1), len(idx) - 1)
            is_val[rng.choice(idx, num_val, replace=False)] = True
        train_ids = np.array(NTU_XSUB_TRAIN_PERFORMERS)
        val_ids = np.setdiff1d(np.arange(1, NUM_PERFORMERS + 1), train_ids)
        performers = np.zeros(n, int)
        partners = np.zeros(n, int)
        for group, mask in ((train_ids, ~is_val), (val_ids, is_val)):
            first = rng.integers(len(group), size=mask.sum())
            second = (first + rng.integers(1, len(group), mask.sum())) % len(
                group)  # another performer of the same split
            performers[mask] = group[first]
            partners[mask] = group[second]
        yaw = rng.uniform(-45, 45, n)
        camera_ids = 1 + np.digitize(yaw, [-15.0, 15.0])
        counters: Dict[Tuple[int, int, int], int] = {}
        names, replications = [], []
        for i in range(n):
            key = (int(camera_ids[i]), int(performers[i]), int(labels[i]))
            counters[key] = counters.get(key, 0) + 1
            replications.append(counters[key])
            names.append(f'S001C{key[0]:03d}P{key[1]:03d}'
                         f'R{counters[key]:03d}A{key[2] + 1:03d}')
        self.labels = labels
        self.is_val = is_val
        self.performers = performers
        self.frame_dirs = names
        self._partners = partners
        self._yaw = yaw
        self._camera_ids = camera_ids
        self._replications = replications
        self._num_frames = rng.integers(self.min_frames, self.max_frames + 1,
                                        n)

    @property
    def split(self) -> Dict[str, List[str]]:
        """The ``xsub_train`` / ``xsub_val`` lists of ``frame_dir`` names."""
        return {
            'xsub_train':
            [d for d, v in zip(self.frame_dirs, self.is_val) if not v],
            'xsub_val': [d for d, v in zip(self.frame_dirs, self.is_val) if v],
        }

    def _animate(self, rng: np.random.Generator, action: Optional[str],
                 body: Body, num_frames: int, mirror: bool,
                 base: np.ndarray, yaw: float
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Animate one person.

        Args:
            rng: random generator of this person.
            action: class name, or ``None`` for idle standing.
            body: the performer's body.
            num_frames: clip length ``T``.
            mirror: mirror the action left/right.
            base: (3, ) horizontal world position of the root (y ignored).
            yaw: body facing in degrees (0: ``+z``).

        Returns:
            Tuple of world NTU joints (T, 25, 3) and COCO keypoints
            (T, 17, 3).
        """
        motion = Motion(num_frames)
        if action is not None:
            tau = np.linspace(0.0, 1.0, num_frames)
            start = rng.uniform(0.0, 0.3)
            stop = min(1.0, start + rng.uniform(0.55, 1.0))
            u = np.clip((tau - start) / (stop - start), 0.0, 1.0)
            MOTIONS[action](motion, u, rng, rng.uniform(0.75, 1.25))
        if rng.random() < self.fidget_prob:
            fidget(motion, rng)
        if mirror:
            motion.mirror()
        angles = np.deg2rad(motion.angles + body.style +
                            idle_sway(rng, num_frames))
        local = euler_to_matrix(angles)
        local[:, ROOT] = rot_y(np.deg2rad(yaw)) @ local[:, ROOT]
        pos, glob = forward_kinematics(local, np.zeros((num_frames, 3)),
                                       body.offsets)
        shift = np.zeros((num_frames, 3))
        shift[:, 1] = _FOOT_CLEARANCE - pos[:, FEET, 1].min(1) + motion.lift
        if motion.anchor_feet:
            ankles = pos[:, ANKLES][:, :, [0, 2]].mean(1)
            shift[:, [0, 2]] = ankles[:1] - ankles
        t = np.arange(num_frames) / FPS
        shift[:, 0] += 0.015 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t +
                                      rng.uniform(0, 6.3))
        shift += np.array([base[0], 0.0, base[2]])
        pos += shift[:, None]
        coco = pos[:, COCO_FROM_NTU] + np.einsum(
            'tkij,kj->tki', glob[:, COCO_FROM_NTU],
            COCO_OFFSETS * (body.offsets[HEAD, 1] / NTU_REST_OFFSETS[HEAD,
                                                                     1]))
        return pos, coco

    def generate_sample(self, index: int) -> SynthSample:
        """Generate the ``index``-th sample of the plan.

        Args:
            index: sample index in ``[0, num_samples)``.

        Returns:
            The sample with clean world-frame motion and its camera.
        """
        rng = np.random.default_rng(self._sample_seeds[index])
        label = int(self.labels[index])
        action = self.classes[label]
        num_frames = int(self._num_frames[index])
        mirror = bool(rng.random() < self.mirror_prob)
        base0 = np.array([rng.uniform(-0.2, 0.2), 0.0, rng.uniform(-0.2, 0.2)])
        joints, coco = self._animate(
            rng, action, self._bodies[self.performers[index] - 1], num_frames,
            mirror, base0, rng.uniform(-30, 30))
        persons, faces = [joints], [coco]
        partner = 'none'
        target = base0.copy()
        if rng.random() < self.second_person_prob:
            partner = 'same' if rng.random() < 0.5 else 'idle'
            side = rng.choice([-1.0, 1.0])
            base1 = base0 + np.array(
                [side * rng.uniform(0.8, 1.2), 0.0, rng.uniform(-0.3, 0.3)])
            joints1, coco1 = self._animate(
                rng, action if partner == 'same' else None,
                self._bodies[self._partners[index] - 1], num_frames,
                bool(rng.random() < self.mirror_prob), base1,
                -side * rng.uniform(0, 30))
            persons.append(joints1)
            faces.append(coco1)
            target = 0.5 * (base0 + base1)
        target = target + np.array(
            [rng.uniform(-0.2, 0.2), rng.uniform(0.8, 1.1), 0.0])
        camera = SynthCamera.look_at(
            target,
            yaw=float(self._yaw[index]),
            pitch=rng.uniform(-15, 15),
            distance=rng.uniform(2.5, 4.0),
            focal=rng.uniform(500, 600),
            img_shape=self.img_shape)
        return SynthSample(
            frame_dir=self.frame_dirs[index],
            label=label,
            performer=int(self.performers[index]),
            camera_id=int(self._camera_ids[index]),
            replication=self._replications[index],
            joints3d=np.stack(persons),
            coco3d=np.stack(faces),
            camera=camera,
            mirrored=mirror,
            partner=partner,
            noise_seed=int(rng.integers(2**31)))

    def generate_samples(self, progress: bool = False) -> List[SynthSample]:
        """Generate all samples of the plan.

        Args:
            progress: show a tqdm progress bar.

        Returns:
            ``num_samples`` samples in plan order.
        """
        return [
            self.generate_sample(i)
            for i in tqdm(range(self.num_samples), disable=not progress,
                          desc='SynthAction', unit='clip')
        ]

    def to_ntu3d_annotation(self, sample: SynthSample) -> dict:
        """NTU-style 3D annotation of a sample (Kinect-like camera frame).

        Args:
            sample: a generated sample.

        Returns:
            Dict with ``frame_dir``, ``label``, ``total_frames`` and
            ``keypoint`` float32 (M, T, 25, 3) in metres, with Gaussian
            sensor noise scaled by ``noise``.
        """
        rng = np.random.default_rng([sample.noise_seed, 3])
        kpt = sample.camera.world_to_camera(sample.joints3d)
        sigma = np.full(25, 0.01 * self.noise)
        sigma[list(EXTREMITIES)] *= 2.0
        kpt = kpt + rng.normal(size=kpt.shape) * sigma[:, None]
        return dict(
            frame_dir=sample.frame_dir,
            label=sample.label,
            total_frames=sample.total_frames,
            keypoint=kpt.astype(np.float32))

    def keypoint_scores(self, sample: SynthSample,
                        uv: np.ndarray) -> np.ndarray:
        """Detector-like confidences of the projected COCO keypoints.

        High (about 0.85-1.0) for visible keypoints; lower for the face when
        the person faces away, for the limbs on the side turned away from
        the camera, and near or outside the image border.

        Args:
            sample: a generated sample.
            uv: (M, T, 17, 2) clean pixel coordinates.

        Returns:
            (M, T, 17) scores in [0, 1].
        """
        rng = np.random.default_rng([sample.noise_seed, 4])
        joints = sample.joints3d
        left = joints[..., L_HIP, :] - joints[..., R_HIP, :]
        left[..., 1] = 0.0
        left /= np.linalg.norm(left, axis=-1, keepdims=True) + 1e-9
        forward = np.cross(left, np.array([0.0, 1.0, 0.0]))
        to_cam = sample.camera.position - joints[..., ROOT, :]
        to_cam[..., 1] = 0.0
        to_cam /= np.linalg.norm(to_cam, axis=-1, keepdims=True) + 1e-9
        facing = (forward * to_cam).sum(-1)
        side = (left * to_cam).sum(-1)  # > 0: the left side faces the camera

        def sigmoid(x: np.ndarray) -> np.ndarray:
            return 1.0 / (1.0 + np.exp(-x))

        vis = np.ones(uv.shape[:-1])
        vis[..., :3] = 0.25 + 0.75 * sigmoid(6 * (facing[..., None] + 0.15))
        vis[..., 3] = 0.3 + 0.7 * sigmoid(6 * (side + 0.3))
        vis[..., 4] = 0.3 + 0.7 * sigmoid(6 * (0.3 - side))
        vis[..., 5::2] = 0.5 + 0.5 * sigmoid(8 * (side[..., None] + 0.6))
        vis[..., 6::2] = 0.5 + 0.5 * sigmoid(8 * (0.6 - side[..., None]))
        h, w = self.img_shape
        margin = np.minimum(
            np.minimum(uv[..., 0], w - 1 - uv[..., 0]),
            np.minimum(uv[..., 1], h - 1 - uv[..., 1]))
        border = np.where(margin < 0, 0.05,
                          0.5 + 0.5 * np.clip(margin / 24.0, 0.0, 1.0))
        base = rng.uniform(0.85, 1.0, uv.shape[:1] + (1, ) + uv.shape[2:3])
        jitter = rng.normal(size=vis.shape) * 0.04 * self.noise
        return np.clip(base * vis * border + jitter, 0.0, 1.0)

    def to_coco2d_annotation(self, sample: SynthSample) -> dict:
        """COCO-17 2D annotation of a sample (camera projection).

        Args:
            sample: a generated sample.

        Returns:
            Dict with ``frame_dir``, ``label``, ``total_frames``,
            ``img_shape``, ``original_shape`` (both ``(h, w)``),
            ``keypoint`` float32 (M, T, 17, 2) pixels with detector-like
            noise and ``keypoint_score`` float32 (M, T, 17).
        """
        rng = np.random.default_rng([sample.noise_seed, 5])
        uv = sample.camera.project_world(sample.coco3d)
        score = self.keypoint_scores(sample, uv)
        sigma = 2.0 * self.noise * (1.0 + 3.0 * (1.0 - score))
        uv = uv + rng.normal(size=uv.shape) * sigma[..., None]
        return dict(
            frame_dir=sample.frame_dir,
            label=sample.label,
            total_frames=sample.total_frames,
            img_shape=self.img_shape,
            original_shape=self.img_shape,
            keypoint=uv.astype(np.float32),
            keypoint_score=score.astype(np.float32))

    def build_annotations(self, samples: Sequence[SynthSample]
                          ) -> Tuple[dict, dict]:
        """Both pickles' contents for a list of samples.

        Args:
            samples: samples of this generator's plan.

        Returns:
            Tuple ``(ntu3d, coco2d)`` of dicts ``{'split', 'annotations'}``.
        """
        names = {s.frame_dir for s in samples}
        split = {k: [d for d in v if d in names]
                 for k, v in self.split.items()}
        ntu3d = dict(
            split=split,
            annotations=[self.to_ntu3d_annotation(s) for s in samples])
        coco2d = dict(
            split={k: list(v) for k, v in split.items()},
            annotations=[self.to_coco2d_annotation(s) for s in samples])
        return ntu3d, coco2d

    def write_dataset(self, out_dir: str,
                      progress: bool = False) -> Tuple[str, str]:
        """Generate everything and write the two pickles.

        Args:
            out_dir: output directory (created if missing).
            progress: show a tqdm progress bar.

        Returns:
            Paths of ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl``.
        """
        ntu3d, coco2d = self.build_annotations(
            self.generate_samples(progress=progress))
        os.makedirs(out_dir, exist_ok=True)
        paths = (osp.join(out_dir, 'synth_ntu3d.pkl'),
                 osp.join(out_dir, 'synth_coco2d.pkl'))
        mmengine.dump(ntu3d, paths[0])
        mmengine.dump(coco2d, paths[1])
        return paths


def write_dataset(out_dir: str, progress: bool = False,
                  **kwargs) -> Tuple[str, str]:
    """Write ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl`` to ``out_dir``.

    Args:
        out_dir: output directory.
        progress: show a tqdm progress bar.
        **kwargs: arguments of :class:`SynthActionGenerator`.

    Returns:
        The two written paths.
    """
    return SynthActionGenerator(**kwargs).write_dataset(out_dir, progress)
