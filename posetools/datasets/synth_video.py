"""RGB videos of SynthAction: bodies drawn as limbs on a textured, slowly moving background.

A :class:`~posetools.datasets.synth.SynthSample` is rendered from the same clean COCO-17
projection as the 2D pickle (``SynthCamera.project_world`` of ``sample.coco3d`` in the
camera's 480 x 640 image), scaled to the render size, so frames, keypoints and boxes agree
with the skeleton pickles. Each person is a set of flat-coloured primitives: a torso
polygon, thick lines for the upper arms, forearms, thighs and shins (per-person shirt,
skin and trouser colours, the person's left side lighter, the right side darker), a neck
and a head disc that covers the five face keypoints. Every frame, persons are drawn back
to front by their mean camera depth, and each person's parts back to front by theirs, so
people and limbs occlude correctly.
The background is a smooth two-colour noise texture with a few coloured shapes, panned
at a constant sub-pixel speed (about 8-32 px over a clip at 160 px wide).

Pixel frame: as in ``synth.py``, pixel centres sit at integer coordinates (the camera's
principal point is ``((w - 1) / 2, (h - 1) / 2)``); a camera point ``u`` maps to
``(u + 0.5) * W / 640 - 0.5`` (the ``cv2.resize`` mapping), and likewise for ``v``.

The default size (h, w) = (120, 160) keeps the camera's 4:3 aspect and is exactly 1/4 of
the 2D pickle's image, small enough for CPU training; people are 50-110 px tall (median 73).

Written layout (:func:`write_video_dataset`, ``out_dir`` usually ``data/synth``)::

    videos/<frame_dir>.mp4                  H.264, 30 fps, T frames of the sample
    synth_videos_xsub_train.txt             "<frame_dir>.mp4 <label>" per line (mmaction
    synth_videos_xsub_val.txt               VideoDataset lists, relative to videos/)
    synth_videos.pkl                        per-frame keypoints and person boxes
"""
import colorsys
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

import cv2
import mmengine
import numpy as np
from tqdm import tqdm

from posetools.datasets.synth import FPS, SynthActionGenerator, SynthCamera, SynthSample
from posetools.datasets.video_io import write_video

__all__ = ['DEFAULT_VIDEO_SIZE', 'SynthVideo', 'SynthVideoRenderer', 'write_video_dataset']

DEFAULT_VIDEO_SIZE: Tuple[int, int] = (120, 160)
"""Default render size ``(h, w)``: the 480 x 640 camera image scaled by 1/4."""

_HEAD, _TORSO = 0, 1
_NUM_PARTS = 10
"""Body parts: head (with neck), torso, left/right upper arm and forearm, left/right
thigh and shin. The label image stores ``1 + person * _NUM_PARTS + part``."""

_LIMBS: Tuple[Tuple[int, int, int, float], ...] = (
    (2, 5, 7, 0.09),    # left upper arm: (part, COCO keypoint a, keypoint b, width in m)
    (3, 7, 9, 0.07),    # left forearm
    (4, 6, 8, 0.09),    # right upper arm
    (5, 8, 10, 0.07),   # right forearm
    (6, 11, 13, 0.13),  # left thigh
    (7, 13, 15, 0.10),  # left shin
    (8, 12, 14, 0.13),  # right thigh
    (9, 14, 16, 0.10),  # right shin
)
_TORSO_CORNERS = (5, 6, 12, 11)  # shoulders and hips, a closed loop
_TORSO_WIDTH = 0.10  # outline width (m), so a torso seen from the side keeps some width
_NECK_WIDTH = 0.08
_HEAD_RADIUS = 1.6  # head radius in half inter-ear distances (covers nose and eyes)
_SKIN_TONES = np.array([[255, 219, 172], [241, 194, 125], [224, 172, 105], [198, 134, 66],
                        [141, 85, 36], [92, 56, 30]], np.float64)


@dataclass
class SynthVideo:
    """A rendered clip and where its people are.

    Attributes:
        frames: (T, H, W, 3) uint8 RGB frames.
        keypoints: (M, T, 17, 2) float32 clean COCO keypoints in render pixels.
        boxes: (M, T, 4) float32 person boxes ``(x1, y1, x2, y2)``: the first and last
            pixel columns and rows the person is drawn on, inside the image, before any
            occlusion by the other person (``x2 < x1`` if the person is out of view).
        person_map: (T, H, W) int8 index of the person drawn at each pixel, -1 for the
            background.
    """

    frames: np.ndarray
    keypoints: np.ndarray
    boxes: np.ndarray
    person_map: np.ndarray


class SynthVideoRenderer:
    """Render SynthAction samples as RGB videos.

    Rendering is deterministic: a sample's background and colours come from
    ``np.random.default_rng([sample.noise_seed, 6])`` (``synth.py`` uses streams 3-5 of
    the same seed), so a clip looks the same whatever the order of rendering.

    Args:
        size (tuple[int, int]): Render size ``(h, w)``, even (for yuv420p video).
            Defaults to :data:`DEFAULT_VIDEO_SIZE`.
    """

    def __init__(self, size: Tuple[int, int] = DEFAULT_VIDEO_SIZE) -> None:
        height, width = (int(s) for s in size)
        if height < 8 or width < 8 or height % 2 or width % 2:
            raise ValueError(f'video size (h, w) must be even and >= 8, got {tuple(size)}')
        self.size = (height, width)

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size})'

    def render(self, sample: SynthSample) -> SynthVideo:
        """Render one sample.

        Args:
            sample: A SynthAction sample.

        Returns:
            The frames with per-frame keypoints, boxes and person map.
        """
        rng = np.random.default_rng([sample.noise_seed, 6])
        camera = sample.camera
        scale = np.array([self.size[1] / camera.img_shape[1],
                          self.size[0] / camera.img_shape[0]])  # (x, y) render / camera
        points = camera.world_to_camera(sample.coco3d)  # (M, T, 17, 3) metres
        keypoints = (camera.project(points) + 0.5) * scale - 0.5  # (M, T, 17, 2) pixels
        frames = self._background(rng, sample.total_frames)  # (T, H, W, 3)
        palette = np.concatenate([np.zeros((1, 3))] + [
            self._person_colours(rng) for _ in range(sample.num_persons)]).astype(np.uint8)
        labels, boxes = self._draw_labels(camera, points, scale)  # (T, H, W), (M, T, 4)
        body = labels > 0
        frames[body] = palette[labels[body]]
        person_of_label = np.repeat(np.arange(-1, sample.num_persons), [1] + [
            _NUM_PARTS] * sample.num_persons).astype(np.int8)
        return SynthVideo(
            frames=frames,
            keypoints=keypoints.astype(np.float32),
            boxes=boxes,
            person_map=person_of_label[labels])

    def _draw_labels(self, camera: SynthCamera, points: np.ndarray,
                     scale: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Rasterise the persons, far to near, each with its parts far to near.

        Args:
            camera: The sample's camera.
            points: (M, T, 17, 3) COCO keypoints in camera coordinates (metres).
            scale: (2, ) render pixels per camera pixel along x and y.

        Returns:
            Tuple of the (T, H, W) uint8 labels ``1 + person * 10 + part`` (0: background)
            and the (M, T, 4) float32 boxes of each person's own pixels.
        """
        persons, frames = points.shape[:2]
        ears = points[..., 3:5, :]  # the head disc is centred between the ears
        with_head = np.concatenate([points, ears.mean(-2, keepdims=True)], -2)  # 18 points
        keypoints = (camera.project(with_head) + 0.5) * scale - 0.5  # (M, T, 18, 2)
        pixels_per_metre = camera.focal * scale.mean() / with_head[..., 2]  # (M, T, 18)
        head_radius = _HEAD_RADIUS * 0.5 * np.linalg.norm(
            ears[..., 0, :] - ears[..., 1, :], axis=-1) * pixels_per_metre[..., 17]  # (M, T)
        shoulders = keypoints[..., 5:7, :].mean(-2)  # neck: head centre to shoulder middle
        head_depth = with_head[..., 17, 2]

        # primitives per person: 0 torso, 1 neck, 2 head, 3.. limbs; widths in pixels
        limbs = [(part, a, b, np.maximum(1, np.round(
            width * 0.5 * (pixels_per_metre[..., a] + pixels_per_metre[..., b]))))
                 for part, a, b, width in _LIMBS]
        torso_px = np.maximum(1, np.round(_TORSO_WIDTH * pixels_per_metre[..., 5:7].mean(-1)))
        neck_px = np.maximum(1, np.round(_NECK_WIDTH * pixels_per_metre[..., 5:7].mean(-1)))
        depth = np.stack(
            [points[..., list(_TORSO_CORNERS), 2].mean(-1),
             0.5 * (head_depth + points[..., 5:7, 2].mean(-1)), head_depth] +
            [0.5 * (points[..., a, 2] + points[..., b, 2]) for _, a, b, _ in _LIMBS],
            -1)  # (M, T, 3 + 8)
        part_order = np.argsort(-depth, axis=-1, kind='stable')  # far to near
        person_order = np.argsort(-points[..., 2].mean(-1), axis=0, kind='stable')  # (M, T)

        fixed = np.round(keypoints * 16).astype(np.int32)  # 4 fractional bits for cv2
        shoulder_fixed = np.round(shoulders * 16).astype(np.int32)
        labels = np.zeros((frames, ) + self.size, np.uint8)
        boxes = np.zeros((persons, frames, 4), np.float32)
        person = np.zeros(self.size, np.uint8)
        for t in range(frames):
            for m in person_order[:, t]:
                person[:] = 0
                base = 1 + int(m) * _NUM_PARTS
                for kind in part_order[m, t]:
                    if kind == 0:
                        corners = fixed[m, t, list(_TORSO_CORNERS)]
                        cv2.fillPoly(person, [corners], base + _TORSO, cv2.LINE_8, 4)
                        cv2.polylines(person, [corners], True, base + _TORSO,
                                      int(torso_px[m, t]), cv2.LINE_8, 4)
                    elif kind == 1:
                        cv2.line(person, tuple(fixed[m, t, 17]), tuple(shoulder_fixed[m, t]),
                                 base + _HEAD, int(neck_px[m, t]), cv2.LINE_8, 4)
                    elif kind == 2:
                        cv2.circle(person, tuple(fixed[m, t, 17]),
                                   int(round(head_radius[m, t] * 16)), base + _HEAD, -1,
                                   cv2.LINE_8, 4)
                    else:
                        part, a, b, width = limbs[kind - 3]
                        cv2.line(person, tuple(fixed[m, t, a]), tuple(fixed[m, t, b]),
                                 base + part, int(width[m, t]), cv2.LINE_8, 4)
                x, y, w, h = cv2.boundingRect(person)
                boxes[m, t] = (x, y, x + w - 1, y + h - 1)
                np.copyto(labels[t], person, where=person > 0)
        return labels, boxes

    def _person_colours(self, rng: np.random.Generator) -> np.ndarray:
        """(10, 3) RGB colours of one person's parts: skin, shirt and trousers, the left
        side lighter and the right side darker."""
        skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] * rng.uniform(0.9, 1.05)
        shirt = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.5, 1.0),
                                             rng.uniform(0.45, 0.95))) * 255
        trousers = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.3, 0.9),
                                                rng.uniform(0.2, 0.6))) * 255
        left, right = 1.2, 0.75
        colours = [skin, shirt, shirt * left, skin * left, shirt * right, skin * right,
                   trousers * left, trousers * left, trousers * right, trousers * right]
        return np.clip(colours, 0, 255)

    def _background(self, rng: np.random.Generator, frames: int) -> np.ndarray:
        """(T, H, W, 3) uint8 frames of a textured scene panned at constant speed.

        The random draws do not depend on the render size, so a sample shows the same
        scene at every size.
        """
        height, width = self.size
        speed = rng.uniform(0.1, 0.4) * width / 160.0  # pixels per frame
        angle = rng.uniform(0, 2 * np.pi)
        velocity = speed * np.array([np.cos(angle), np.sin(angle)])
        pad = int(np.ceil(speed * frames)) + 4
        tex_h, tex_w = height + 2 * pad, width + 2 * pad
        colours = rng.uniform(40, 200, (2, 3)).astype(np.float32)
        coarse = rng.random((4, 5)).astype(np.float32)
        shapes = [(rng.random() < 0.5, rng.uniform(20, 235, 3), rng.random(2),
                   rng.uniform([0.05, 0.05], [0.2, 0.25]), rng.uniform(0, 180))
                  for _ in range(rng.integers(3, 7))]
        fine = rng.random((16, 20)).astype(np.float32) - 0.5

        def upsample(grid: np.ndarray) -> np.ndarray:
            return cv2.resize(grid, (tex_w, tex_h), interpolation=cv2.INTER_CUBIC)[..., None]

        mix = np.clip(upsample(coarse), 0, 1)
        texture = colours[0] * mix + colours[1] * (1 - mix)
        texture = np.clip(texture * (1 + 0.35 * upsample(fine)), 0, 255).astype(np.uint8)
        for is_box, colour, centre, axes, tilt in shapes:
            colour = tuple(float(c) for c in colour)
            cx, cy = int(centre[0] * tex_w), int(centre[1] * tex_h)
            ax, ay = int(axes[0] * width), int(axes[1] * height)
            if is_box:
                cv2.rectangle(texture, (cx - ax, cy - ay), (cx + ax, cy + ay), colour, -1,
                              cv2.LINE_AA)
            else:
                cv2.ellipse(texture, (cx, cy), (ax, ay), tilt, 0, 360, colour, -1, cv2.LINE_AA)
        start = np.array([tex_w - 1, tex_h - 1]) / 2.0 - velocity * (frames - 1) / 2.0
        return np.stack([
            cv2.getRectSubPix(texture, (width, height), tuple(start + velocity * t))
            for t in range(frames)
        ])


def write_video_dataset(generator: SynthActionGenerator, out_dir: str,
                        size: Tuple[int, int] = DEFAULT_VIDEO_SIZE,
                        progress: bool = False) -> Dict[str, str]:
    """Render every sample of a generator's plan and write videos, lists and annotations.

    Samples, labels and splits are those of the generator's skeleton pickles.

    Args:
        generator: The SynthAction generator (same arguments as for the pickles).
        out_dir: Output directory (created if missing), usually ``data/synth``.
        size: Render size ``(h, w)``. Defaults to :data:`DEFAULT_VIDEO_SIZE`.
        progress: Show a tqdm progress bar.

    Returns:
        Paths: ``videos`` (the directory), ``xsub_train`` and ``xsub_val`` (list files)
        and ``annotations`` (``synth_videos.pkl``: ``{'split', 'annotations'}`` with, per
        video, ``frame_dir``, ``filename`` (relative to ``videos``), ``label``,
        ``total_frames``, ``img_shape`` (h, w), ``keypoint`` float32 (M, T, 17, 2) and
        ``person_box`` float32 (M, T, 4) ``(x1, y1, x2, y2)``, in render pixels).
    """
    renderer = SynthVideoRenderer(size)
    video_dir = osp.join(out_dir, 'videos')
    os.makedirs(video_dir, exist_ok=True)
    annotations: List[dict] = []
    for index in tqdm(range(generator.num_samples), disable=not progress,
                      desc='SynthAction videos', unit='clip'):
        sample = generator.generate_sample(index)
        video = renderer.render(sample)
        filename = f'{sample.frame_dir}.mp4'
        write_video(osp.join(video_dir, filename), video.frames, fps=FPS)
        annotations.append(
            dict(frame_dir=sample.frame_dir, filename=filename, label=sample.label,
                 total_frames=sample.total_frames, img_shape=renderer.size,
                 keypoint=video.keypoints, person_box=video.boxes))
    paths = dict(videos=video_dir, annotations=osp.join(out_dir, 'synth_videos.pkl'))
    label_of = {ann['frame_dir']: ann['label'] for ann in annotations}
    for split, names in generator.split.items():
        paths[split] = osp.join(out_dir, f'synth_videos_{split}.txt')
        with open(paths[split], 'w', encoding='utf-8') as file:
            file.writelines(f'{name}.mp4 {label_of[name]}\n' for name in names)
    mmengine.dump(dict(split=generator.split, annotations=annotations), paths['annotations'])
    return paths
