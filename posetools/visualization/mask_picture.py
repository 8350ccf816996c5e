"""The mask picture of one clip: a figure (PNG) and an animation (GIF) of its frames with the
visible tokens, the masked tokens and the saliency, plus the keypoints and boxes if known."""
import math
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from posetools.models.algorithms import VideoMAE
from posetools.visualization.masks import (MASKED_GREY, SALIENCY_ALPHA, SALIENCY_CMAP,
                                           grey_masked, overlay_saliency)
from posetools.visualization.skeleton import (LEFT_COLOR, RIGHT_COLOR, draw_skeleton,
                                              draw_skeleton_on_image, topology_for)

BOX_COLOR = 'yellow'
"""Edge colour of person boxes."""
GIF_MIN_HEIGHT = 192
"""Frames are enlarged (nearest neighbour, by an integer factor) to at least this height."""


def clip_frames(clip: torch.Tensor) -> np.ndarray:
    """(T, H, W, 3) uint8 RGB frames of an unnormalised (3, T, H, W) clip (``PackActionInputs``'
    ``inputs[i]`` for ``NCTHW``), clipped to [0, 255]."""
    if clip.dim() != 4 or clip.shape[0] != 3:
        raise ValueError(f'clip_frames needs a (3, T, H, W) RGB clip, got shape '
                         f'{tuple(clip.shape)}')
    return clip.detach().cpu().permute(1, 2, 3, 0).clamp(0, 255).round().to(
        torch.uint8).numpy()


def first_clip_inputs(preprocessor: torch.nn.Module, clips: torch.Tensor, sample: object,
                      grid_size: Tuple[int, int, int]
                      ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """A packed sample's first clip as the masker receives it, and its saliency.

    Args:
        preprocessor: The model's data preprocessor (normalisation, ``NCTHW``).
        clips: (clips, C, T, H, W) unnormalised, as ``PackActionInputs`` packs them.
        sample: The sample's ``ActionDataSample``.
        grid_size: The token grid (T', H', W').

    Returns:
        The (1, C, T, H, W) normalised clip and its (1, T', H', W') saliency (the data
        sample's, stacked as ``VideoMAE`` does), or None without one.
    """
    with torch.no_grad():
        data = preprocessor(dict(inputs=[clips], data_samples=[sample]), training=False)
    saliency = VideoMAE.saliency([sample], grid_size)
    return data['inputs'].flatten(0, 1)[:1], None if saliency is None else saliency[:1]


def directing_saliency(masker: object, saliency: Optional[torch.Tensor],
                       videos: Optional[torch.Tensor],
                       grid_size: Tuple[int, int, int]) -> Optional[torch.Tensor]:
    """The (N, T', H', W') saliency to show next to ``masker``'s masks.

    A directed masker's own (``saliency_of``: the data samples' for ``DirectedMasker``, the
    clips' motion for ``MotionMasker``); for the other maskers the data samples' saliency,
    or None. Deterministic: draws no random numbers.

    Args:
        masker: A ``MASKERS`` masker.
        saliency: (N, T', H', W') from the data samples, or None.
        videos: (N, C, T, H, W) normalised clips, or None.
        grid_size: The token grid (T', H', W').
    """
    if hasattr(masker, 'saliency_of'):
        return masker.saliency_of(saliency, videos, grid_size)
    return saliency


def saliency_label(masker: object) -> str:
    """Name of the saliency row next to ``masker``'s masks: directing them, or only shown."""
    if hasattr(masker, 'saliency_of'):
        return 'saliency directing the masks'
    return f'saliency (data sample; the\n{masker.__class__.__name__} ignores it)'


def mask_figure(frames: np.ndarray,
                mask: np.ndarray,
                saliency: Optional[np.ndarray] = None,
                keypoints: Optional[np.ndarray] = None,
                keypoint_scores: Optional[np.ndarray] = None,
                boxes: Optional[np.ndarray] = None,
                title: str = '',
                saliency_label: str = 'saliency',
                cell_inches: float = 1.5,
                dpi: int = 100) -> np.ndarray:
    """A grid figure of one clip and its token mask, as an RGB image.

    Rows: the frames (with keypoints and boxes when given), masked tokens greyed (hidden
    content faint), the visible tokens only (what the encoder sees), and the saliency
    overlay when there is one; one column per frame, titled with its tubelet. A legend and
    a saliency colour bar sit below.

    Args:
        frames: (T, H, W, 3) uint8 RGB frames.
        mask: (T', H', W') bool, True where a token is masked.
        saliency: Optional (T', H', W') saliency in [0, 1].
        keypoints: Optional (M, T, V, 2) pixel coordinates (pixel centres at integers).
        keypoint_scores: Optional (M, T, V): keypoints with score <= 0 are not drawn.
        boxes: Optional (M, T, 4) person boxes ``(x1, y1, x2, y2)``.
        title: Figure title (e.g. the config, the sample and the masker).
        saliency_label: Name of the saliency row (e.g. where the saliency comes from).
        cell_inches: Side of one frame in inches.
        dpi: Pixels per inch.

    Returns:
        (h, w, 3) uint8 RGB image of the figure.
    """
    frames = np.asarray(frames, np.uint8)
    mask = np.asarray(mask, bool)
    tubelet = frames.shape[0] // mask.shape[0]
    rows = [('clip', frames),
            ('masked tokens greyed', grey_masked(frames, mask)),
            ('visible tokens only\n(encoder input)', grey_masked(frames, mask, fade=0.))]
    if saliency is not None:
        rows.append((saliency_label, overlay_saliency(frames, saliency)))
    fig, canvas, axes = _image_grid(rows, cell_inches, dpi, margins=(0.6, 1.6))
    for t, ax in enumerate(axes[0]):
        ax.set_title(f'frame {t}\ntubelet {t // tubelet}', fontsize=8, pad=2)
        _draw_people(ax, t, keypoints, keypoint_scores, boxes)
        ax.set_xlim(-0.5, frames.shape[2] - 0.5)  # people may reach past the frame
        ax.set_ylim(frames.shape[1] - 0.5, -0.5)
    visible = int((~mask).sum())
    fig.suptitle(f'{title}\n{visible} of {mask.size} tokens visible '
                 f'({100 * (1 - visible / mask.size):.0f}% masked), token grid '
                 f'{"x".join(map(str, mask.shape))}'.strip(), fontsize=9)
    fig.legend(handles=_legend_handles(keypoints is not None, boxes is not None),
               loc='outside lower center', ncols=5, fontsize=8, frameon=False)
    if saliency is not None:
        colorbar = fig.colorbar(ScalarMappable(Normalize(0, 1), SALIENCY_CMAP),
                                ax=axes[-1, :], location='bottom', shrink=0.3, aspect=40)
        colorbar.set_label(f'saliency (colour opacity {SALIENCY_ALPHA} x saliency)',
                           fontsize=8)
        colorbar.ax.tick_params(labelsize=7)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def masks_comparison(frames: np.ndarray, masks: Sequence[Tuple[str, np.ndarray]],
                     title: str = '', cell_inches: float = 1.2, dpi: int = 100) -> np.ndarray:
    """Several maskers' masks of one clip, a row each, as an RGB image.

    Args:
        frames: (T, H, W, 3) uint8 RGB frames.
        masks: (label, (T', H', W') bool mask, True where masked) per row.
        title: Figure title.
        cell_inches: Side of one frame in inches.
        dpi: Pixels per inch.

    Returns:
        (h, w, 3) uint8 RGB image: the clip in the first row, then each mask with the
        masked tokens greyed.
    """
    frames = np.asarray(frames, np.uint8)
    rows = [('clip', frames)] + [(label, grey_masked(frames, np.asarray(mask, bool)))
                                 for label, mask in masks]
    fig, canvas, axes = _image_grid(rows, cell_inches, dpi, margins=(1.2, 0.6))
    for t, ax in enumerate(axes[0]):
        ax.set_title(f'frame {t}', fontsize=8, pad=2)
    fig.suptitle(title, fontsize=9)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


def _image_grid(rows: Sequence[Tuple[str, np.ndarray]], cell_inches: float, dpi: int,
                margins: Tuple[float, float]) -> Tuple[Figure, FigureCanvasAgg, np.ndarray]:
    """A figure with one labelled row of frames per ``(label, (T, H, W, 3) images)``.

    Args:
        rows: The rows' labels and images.
        cell_inches: Side of one frame in inches.
        dpi: Pixels per inch.
        margins: Inches added to the width and the height (labels, titles, legends).

    Returns:
        The figure, its canvas and the (rows, T) axes.
    """
    num_frames = len(rows[0][1])
    fig = Figure(figsize=(cell_inches * num_frames + margins[0],
                          cell_inches * len(rows) + margins[1]), dpi=dpi, layout='constrained')
    canvas = FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), num_frames, squeeze=False)
    for (label, images), row in zip(rows, axes):
        for image, ax in zip(images, row):
            ax.imshow(image, interpolation='nearest')
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label, fontsize=8)
    return fig, canvas, axes


def _draw_people(ax, t: int, keypoints: Optional[np.ndarray],
                 keypoint_scores: Optional[np.ndarray], boxes: Optional[np.ndarray]) -> None:
    """Draw frame ``t``'s boxes and skeletons (person 0 opaque, the others fainter)."""
    for m in range(0 if boxes is None else len(boxes)):
        x1, y1, x2, y2 = boxes[m, t]
        if x2 > x1 and y2 > y1:
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False,
                                   edgecolor=BOX_COLOR, lw=1))
    if keypoints is None:
        return
    topology = topology_for(keypoints.shape[2])
    for m in range(len(keypoints)):
        visible = None if keypoint_scores is None else keypoint_scores[m, t] > 0
        alpha = 1.0 if m == 0 else 0.6
        if topology is None:
            shown = slice(None) if visible is None else visible
            ax.plot(keypoints[m, t, shown, 0], keypoints[m, t, shown, 1], 'k.', ms=2,
                    alpha=alpha)
        else:
            draw_skeleton(ax, keypoints[m, t], topology, alpha=alpha, visible=visible)


def _legend_handles(with_keypoints: bool, with_boxes: bool) -> List[object]:
    """Legend entries of :func:`mask_figure`."""
    grey = (MASKED_GREY / 255,) * 3
    handles = [Patch(facecolor='white', edgecolor='black', label='visible token: pixels as is'),
               Patch(facecolor=grey, edgecolor='black', label='masked token (greyed)')]
    if with_keypoints:
        handles += [Line2D([], [], color=LEFT_COLOR, label="keypoints: person's left"),
                    Line2D([], [], color=RIGHT_COLOR, label="person's right")]
    if with_boxes:
        handles.append(Patch(facecolor='none', edgecolor=BOX_COLOR, label='person box'))
    return handles


def mask_animation(frames: np.ndarray,
                   mask: np.ndarray,
                   saliency: Optional[np.ndarray] = None,
                   keypoints: Optional[np.ndarray] = None,
                   keypoint_scores: Optional[np.ndarray] = None,
                   scale: Optional[int] = None) -> np.ndarray:
    """Animation frames of one clip and its mask: panels side by side, labelled.

    Panels: the clip (with skeletons when given), the masked tokens greyed, and the
    saliency overlay when there is one; each enlarged by ``scale``. A header names the
    panels, a footer the frame, its tubelet and the visible token count.

    Args:
        frames: (T, H, W, 3) uint8 RGB frames.
        mask: (T', H', W') bool, True where a token is masked.
        saliency: Optional (T', H', W') saliency in [0, 1].
        keypoints: Optional (M, T, V, 2) pixel coordinates (pixel centres at integers).
        keypoint_scores: Optional (M, T, V): keypoints with score <= 0 are not drawn.
        scale: Integer enlargement. Defaults to the least that makes frames
            :data:`GIF_MIN_HEIGHT` pixels high.

    Returns:
        (T, h, w, 3) uint8 RGB animation frames.
    """
    frames = np.asarray(frames, np.uint8)
    mask = np.asarray(mask, bool)
    num_frames, height = frames.shape[:2]
    scale = scale or max(1, math.ceil(GIF_MIN_HEIGHT / height))
    panels = [('clip', frames), ('masked: grey', grey_masked(frames, mask))]
    if saliency is not None:
        panels.append(('saliency', overlay_saliency(frames, saliency)))
    tubelet = num_frames // mask.shape[0]
    visible = int((~mask).sum())
    out = []
    for t in range(num_frames):
        tiles = []
        for name, images in panels:
            tile = cv2.resize(images[t], None, fx=scale, fy=scale,
                              interpolation=cv2.INTER_NEAREST)
            if name == 'clip' and keypoints is not None:
                tile = _skeletons_on(tile, keypoints[:, t], scale,
                                     None if keypoint_scores is None else keypoint_scores[:, t])
            tiles.append(_caption(tile, name, top=True))
        strip = np.concatenate(_spaced(tiles), axis=1)
        out.append(_caption(strip, f'frame {t + 1}/{num_frames}, tubelet {t // tubelet}, '
                            f'{visible}/{mask.size} tokens visible', top=False))
    return np.stack(out)


def _skeletons_on(image: np.ndarray, points: np.ndarray, scale: int,
                  scores: Optional[np.ndarray]) -> np.ndarray:
    """``image`` (enlarged ``scale`` times) with (M, V, 2) frame keypoints drawn in."""
    topology = topology_for(points.shape[1])
    if topology is None:
        return image
    for m in range(len(points)):
        image = draw_skeleton_on_image(
            image, (points[m] + 0.5) * scale - 0.5, topology,
            visible=None if scores is None else scores[m] > 0, thickness=max(1, scale // 2))
    return image


def _spaced(tiles: Sequence[np.ndarray], gap: int = 4) -> List[np.ndarray]:
    """``tiles`` with white columns of ``gap`` pixels between them."""
    spacer = np.full((tiles[0].shape[0], gap, 3), 255, np.uint8)
    out = []
    for tile in tiles:
        out += [tile, spacer]
    return out[:-1]


def _caption(image: np.ndarray, text: str, top: bool) -> np.ndarray:
    """``image`` with a white band of black ``text`` above (``top``) or below it."""
    font, size = cv2.FONT_HERSHEY_SIMPLEX, 0.4
    (_, text_height), baseline = cv2.getTextSize(text, font, size, 1)
    band = np.full((text_height + baseline + 6, image.shape[1], 3), 255, np.uint8)
    cv2.putText(band, text, (3, text_height + 3), font, size, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([band, image] if top else [image, band], axis=0)
