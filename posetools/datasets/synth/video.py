"""RGB videos of SynthAction: each person drawn as flat-coloured limbs over a background.

A :class:`~posetools.datasets.synth.SynthSample` is rendered from the same clean COCO-17
projection as the 2D pickle (``SynthCamera.project`` of the camera-frame ``sample.coco3d``
in the camera's 480 x 640 image), mapped into the rendered window, so frames, keypoints and
boxes agree with the skeleton pickles. Each person is a set of flat-coloured primitives: a
torso polygon, thick lines for the upper arms, forearms, thighs and shins (skin, shirt and
trouser colours, the person's left side lighter, the right side darker), a neck and a head
disc that covers the five face keypoints. Every frame, persons are drawn back to front by
their mean camera depth, and each person's parts back to front by theirs, so people and
limbs occlude correctly.

What is drawn, and how much it varies, is a :class:`VideoStyle`:

* ``'pixel'`` (default, for pixel models): 64 x 64, a square window that follows no one
  but frames the actor (person 0) over the whole clip, so the actor is about 50 px tall
  and moves inside the frame; limbs twice as wide (forearms ~4 px, thighs ~8 px); one
  clothing palette with +-10% brightness jitter; a flat grey background, no camera motion.
* ``'classic'`` (issue 4's look): 120 x 160, the whole camera image scaled by 1/4 (people
  50-110 px tall, limbs 1-3 px); random skin, shirt and trouser colours; a smooth two-colour
  noise texture with a few coloured shapes, panned at 0.1-0.4 px per frame.

Pixel frame: as in the generator, pixel centres sit at integer coordinates (the camera's
principal point is ``((w - 1) / 2, (h - 1) / 2)``). A camera point ``u`` maps to
``(u + 0.5 - x0) * W / w0 - 0.5`` for a window with left edge ``x0`` and width ``w0``
camera pixels (for the whole image ``x0 = 0, w0 = 640``: the ``cv2.resize`` mapping), and
likewise for ``v``.

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
from typing import Dict, List, Optional, Tuple, Union

import cv2
import mmengine
import numpy as np
from tqdm import tqdm

from posetools.datasets.synth.camera import SynthCamera
from posetools.datasets.synth.generator import SynthActionGenerator, SynthSample
from posetools.datasets.synth.motions import FPS
from posetools.datasets.video_io import write_video

__all__ = ['VIDEO_STYLES', 'SynthVideo', 'SynthVideoRenderer', 'VideoStyle', 'write_video_dataset']

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
_FIXED_PALETTE = np.array([[224, 172, 105], [40, 90, 200], [70, 60, 50]], np.float64)
"""Skin, shirt and trouser colours of the ``'fixed'`` colour style."""
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


@dataclass(frozen=True)
class VideoStyle:
    """How SynthAction is drawn: the framing, the limb widths and the nuisance factors.

    Attributes:
        size: Default render size ``(h, w)``, even.
        view: ``'actor'``: a square window around person 0 (the labelled actor) that holds
            all of the actor's keypoints over the whole clip, with ``margin`` on each side,
            so the actor fills most of the frame and still moves inside it (a jump goes up,
            a squat goes down); a second person may be partly in view. ``'camera'``: the
            whole 480 x 640 camera image.
        margin: Window margin on each side, as a share of the actor's larger box side
            (``'actor'`` view only).
        limb_scale: Multiplier of every limb, torso-outline and neck width (the widths
            in metres are those of ``_LIMBS``).
        colours: ``'fixed'``: one palette for everybody (skin, blue shirt, dark trousers),
            each colour scaled by ``uniform(1 - colour_jitter, 1 + colour_jitter)`` per
            clip; ``'random'``: random skin tone, shirt and trouser colours per person.
        colour_jitter: See ``colours``.
        background: ``'flat'``: one grey level per clip, ``uniform(90, 130)`` in every
            channel; ``'texture'``: a two-colour noise texture with 3-6 coloured shapes.
        pan_speed: ``(low, high)`` background pan speed in pixels per frame at 160 px
            render width (scaled with the width), drawn per clip in a random direction.
            ``(0, 0)`` keeps the background still. Only used with ``'texture'``.
    """

    size: Tuple[int, int] = (64, 64)
    view: str = 'actor'
    margin: float = 0.1
    limb_scale: float = 2.0
    colours: str = 'fixed'
    colour_jitter: float = 0.1
    background: str = 'flat'
    pan_speed: Tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        choices = dict(view=('actor', 'camera'), colours=('fixed', 'random'),
                       background=('flat', 'texture'))
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f'VideoStyle.{name} must be one of {allowed}, '
                                 f'got {getattr(self, name)!r}')
        if self.margin < 0 or self.limb_scale <= 0 or not 0 <= self.colour_jitter < 1:
            raise ValueError(f'VideoStyle needs margin >= 0, limb_scale > 0 and '
                             f'0 <= colour_jitter < 1, got {self}')
        if not 0 <= self.pan_speed[0] <= self.pan_speed[1]:
            raise ValueError(f'VideoStyle.pan_speed must be 0 <= low <= high, '
                             f'got {self.pan_speed}')


VIDEO_STYLES: Dict[str, VideoStyle] = dict(
    pixel=VideoStyle(),
    classic=VideoStyle(size=(120, 160), view='camera', limb_scale=1.0, colours='random',
                       background='texture', pan_speed=(0.1, 0.4)),
)
"""Named styles. ``'pixel'`` (the default) is made for pixel models: the actor fills a
64 x 64 frame (the size the ``vit_synth*.py`` configs train on, so no resize), limbs are
twice as wide and the nuisance variance is small. ``'classic'`` is issue 4's look: the
whole camera view at 120 x 160 (1/4 of the camera image), random clothing colours and a
textured, panning background."""


class SynthVideoRenderer:
    """Render SynthAction samples as RGB videos.

    Rendering is deterministic: a sample's background and colours come from
    ``np.random.default_rng([sample.noise_seed, 6])`` (the generator's annotations use
    streams 3-5 of the same seed), so a clip looks the same whatever the order of rendering.

    Args:
        style (VideoStyle | str): A :class:`VideoStyle` or the name of one in
            :data:`VIDEO_STYLES`. Defaults to ``'pixel'``.
        size (tuple[int, int], optional): Render size ``(h, w)``, even (for yuv420p
            video). Defaults to the style's size.
    """

    def __init__(self, style: Union[VideoStyle, str] = 'pixel',
                 size: Optional[Tuple[int, int]] = None) -> None:
        if isinstance(style, str):
            if style not in VIDEO_STYLES:
                raise ValueError(f'unknown video style {style!r}, '
                                 f'choose from {sorted(VIDEO_STYLES)}')
            style = VIDEO_STYLES[style]
        height, width = (int(s) for s in (style.size if size is None else size))
        if height < 8 or width < 8 or height % 2 or width % 2:
            raise ValueError(f'video size (h, w) must be even and >= 8, got {(height, width)}')
        self.size = (height, width)
        self.style = style

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(size={self.size}, style={self.style})'

    def render(self, sample: SynthSample) -> SynthVideo:
        """Render one sample.

        Args:
            sample: A SynthAction sample.

        Returns:
            The frames with per-frame keypoints, boxes and person map.
        """
        rng = np.random.default_rng([sample.noise_seed, 6])
        camera = sample.camera
        points = camera.world_to_camera(sample.coco3d)  # (M, T, 17, 3) metres
        origin, scale = self._view(camera, camera.project(points))
        keypoints = (camera.project(points) + 0.5 - origin) * scale - 0.5  # (M, T, 17, 2)
        if self.style.background == 'texture':
            frames = self._texture_background(rng, sample.total_frames)  # (T, H, W, 3)
        else:
            frames = np.full((sample.total_frames, ) + self.size + (3, ),
                             round(rng.uniform(90, 130)), np.uint8)
        palette = np.concatenate([np.zeros((1, 3))] + [
            self._person_colours(rng) for _ in range(sample.num_persons)]).astype(np.uint8)
        labels, boxes = self._draw_labels(camera, points, origin, scale)  # (T, H, W), (M, T, 4)
        body = labels > 0
        frames[body] = palette[labels[body]]
        person_of_label = np.repeat(np.arange(-1, sample.num_persons), [1] + [
            _NUM_PARTS] * sample.num_persons).astype(np.int8)
        return SynthVideo(
            frames=frames,
            keypoints=keypoints.astype(np.float32),
            boxes=boxes,
            person_map=person_of_label[labels])

    def _view(self, camera: SynthCamera,
              camera_keypoints: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """The window of the camera image that is rendered.

        Args:
            camera: The sample's camera.
            camera_keypoints: (M, T, 17, 2) clean keypoints in camera pixels.

        Returns:
            Tuple of the window's top-left corner ``origin`` (2, ) in camera pixel-edge
            coordinates and ``scale`` (2, ), render pixels per camera pixel along x and y.
            A camera pixel ``p`` renders at ``(p + 0.5 - origin) * scale - 0.5``.
        """
        height, width = self.size
        if self.style.view == 'camera':
            img_h, img_w = camera.img_shape
            return np.zeros(2), np.array([width / img_w, height / img_h])
        actor = camera_keypoints[0].reshape(-1, 2)  # every keypoint of person 0 in the clip
        low, high = actor.min(0) + 0.5, actor.max(0) + 0.5
        # keypoints stop at the eyes and ankles: the skull and feet reach ~15% further up
        # and ~5% further down (of the keypoints' height)
        low[1] -= 0.15 * (high[1] - low[1])
        high[1] += 0.05 * (high[1] - low[1])
        need_x, need_y = (high - low) * (1 + 2 * self.style.margin)
        window_h = max(need_y, need_x * height / width)  # the render size's aspect
        window = np.array([window_h * width / height, window_h])  # (x, y) camera pixels
        origin = 0.5 * (low + high) - 0.5 * window
        return origin, np.array([width, height]) / window

    def _draw_labels(self, camera: SynthCamera, points: np.ndarray, origin: np.ndarray,
                     scale: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Rasterise the persons, far to near, each with its parts far to near.

        Args:
            camera: The sample's camera.
            points: (M, T, 17, 3) COCO keypoints in camera coordinates (metres).
            origin: (2, ) top-left corner of the rendered window (see :meth:`_view`).
            scale: (2, ) render pixels per camera pixel along x and y.

        Returns:
            Tuple of the (T, H, W) uint8 labels ``1 + person * 10 + part`` (0: background)
            and the (M, T, 4) float32 boxes of each person's own pixels.
        """
        persons, frames = points.shape[:2]
        ears = points[..., 3:5, :]  # the head disc is centred between the ears
        with_head = np.concatenate([points, ears.mean(-2, keepdims=True)], -2)  # 18 points
        keypoints = (camera.project(with_head) + 0.5 - origin) * scale - 0.5  # (M, T, 18, 2)
        pixels_per_metre = camera.focal * scale.mean() / with_head[..., 2]  # (M, T, 18)
        widths_per_metre = self.style.limb_scale * pixels_per_metre
        head_radius = _HEAD_RADIUS * 0.5 * np.linalg.norm(
            ears[..., 0, :] - ears[..., 1, :], axis=-1) * pixels_per_metre[..., 17]  # (M, T)
        shoulders = keypoints[..., 5:7, :].mean(-2)  # neck: head centre to shoulder middle
        head_depth = with_head[..., 17, 2]

        # primitives per person: 0 torso, 1 neck, 2 head, 3.. limbs; widths in pixels
        limbs = [(part, a, b, np.maximum(1, np.round(
            width * 0.5 * (widths_per_metre[..., a] + widths_per_metre[..., b]))))
                 for part, a, b, width in _LIMBS]
        torso_px = np.maximum(1, np.round(_TORSO_WIDTH * widths_per_metre[..., 5:7].mean(-1)))
        neck_px = np.maximum(1, np.round(_NECK_WIDTH * widths_per_metre[..., 5:7].mean(-1)))
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
        if self.style.colours == 'random':
            skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] * rng.uniform(0.9, 1.05)
            shirt = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.5, 1.0),
                                                 rng.uniform(0.45, 0.95))) * 255
            trousers = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.3, 0.9),
                                                    rng.uniform(0.2, 0.6))) * 255
        else:
            jitter = rng.uniform(1 - self.style.colour_jitter, 1 + self.style.colour_jitter,
                                 (3, 1))
            skin, shirt, trousers = _FIXED_PALETTE * jitter
        left, right = 1.2, 0.75
        colours = [skin, shirt, shirt * left, skin * left, shirt * right, skin * right,
                   trousers * left, trousers * left, trousers * right, trousers * right]
        return np.clip(colours, 0, 255)

    def _texture_background(self, rng: np.random.Generator, frames: int) -> np.ndarray:
        """(T, H, W, 3) uint8 frames of a textured scene panned at constant speed.

        The random draws do not depend on the render size, so a sample shows the same
        scene at every size.
        """
        height, width = self.size
        speed = rng.uniform(*self.style.pan_speed) * width / 160.0  # pixels per frame
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
                        renderer: Optional[SynthVideoRenderer] = None,
                        progress: bool = False) -> Dict[str, str]:
    """Render every sample of a generator's plan and write videos, lists and annotations.

    Samples, labels and splits are those of the generator's skeleton pickles.

    Args:
        generator: The SynthAction generator (same arguments as for the pickles).
        out_dir: Output directory (created if missing), usually ``data/synth``.
        renderer: The renderer. Defaults to ``SynthVideoRenderer()`` (the ``'pixel'``
            style at 64 x 64).
        progress: Show a tqdm progress bar.

    Returns:
        Paths: ``videos`` (the directory), ``xsub_train`` and ``xsub_val`` (list files)
        and ``annotations`` (``synth_videos.pkl``: ``{'split', 'annotations'}`` with, per
        video, ``frame_dir``, ``filename`` (relative to ``videos``), ``label``,
        ``total_frames``, ``img_shape`` (h, w), ``keypoint`` float32 (M, T, 17, 2) and
        ``person_box`` float32 (M, T, 4) ``(x1, y1, x2, y2)``, in render pixels).
    """
    renderer = renderer or SynthVideoRenderer()
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
