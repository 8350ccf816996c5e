"""Draw one SynthAction sample per class as a grid of frames: skeletons or rendered video.

Example:
    python tools/analysis/vis_synth.py --out work_dirs/synth_grid.png
    python tools/analysis/vis_synth.py --view ntu3d --out synth3d.png
    python tools/analysis/vis_synth.py --view video --video-style pixel --out pixel.png
"""
import argparse
from typing import Sequence, Set, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from posetools.datasets.synth import (NTU_PARENTS,  # noqa: E402
                                      SYNTH_CLASSES, VIDEO_STYLES, SynthActionGenerator,
                                      SynthVideoRenderer)

COCO_EDGES: Tuple[Tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4), (5, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (5, 11), (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16))
"""COCO-17 skeleton edges for drawing."""

NTU_EDGES: Tuple[Tuple[int, int], ...] = tuple(
    (j, p) for j, p in enumerate(NTU_PARENTS) if p >= 0)
"""NTU-25 kinematic edges for drawing."""

_LEFT_COCO = {1, 3, 5, 7, 9, 11, 13, 15}
_RIGHT_COCO = {2, 4, 6, 8, 10, 12, 14, 16}
_LEFT_NTU = {4, 5, 6, 7, 12, 13, 14, 15, 21, 22}
_RIGHT_NTU = {8, 9, 10, 11, 16, 17, 18, 19, 23, 24}


def parse_args() -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='synth_grid.png', help='PNG path')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-classes', type=int, default=10)
    parser.add_argument('--frames', type=int, default=8,
                        help='frames shown per sample')
    parser.add_argument('--view', choices=('coco2d', 'ntu3d', 'video'),
                        default='coco2d',
                        help='2D projection (image pixels), the 3D '
                        'camera-frame x/y (metres), or the rendered video frames')
    parser.add_argument('--video-style', choices=sorted(VIDEO_STYLES), default='pixel',
                        help='rendering of --view video (see gen_synth.py --video-style)')
    parser.add_argument('--noise', type=float, default=1.0)
    return parser.parse_args()


def draw_skeleton(ax: plt.Axes, points: np.ndarray,
                  edges: Sequence[Tuple[int, int]], left: Set[int],
                  right: Set[int], alpha: float = 1.0) -> None:
    """Draw one skeleton; the person's left side in red, right in blue.

    Args:
        ax: matplotlib axes.
        points: (J, 2) coordinates in the plotting frame.
        edges: joint index pairs.
        left: indices of the person's left-side joints.
        right: indices of the person's right-side joints.
        alpha: opacity.
    """
    for a, b in edges:
        color = ('tab:red' if a in left and b in left else
                 'tab:blue' if a in right and b in right else 'gray')
        ax.plot(points[[a, b], 0], points[[a, b], 1], '-', color=color,
                lw=1.2, alpha=alpha)
    ax.plot(points[:, 0], points[:, 1], 'k.', ms=2, alpha=alpha)


def main() -> None:
    """Generate a small dataset and plot the first sample of each class."""
    args = parse_args()
    gen = SynthActionGenerator(
        num_samples=4 * args.num_classes,
        num_classes=args.num_classes,
        seed=args.seed,
        noise=args.noise)
    rows = []
    for label in range(args.num_classes):
        index = int(np.flatnonzero(gen.labels == label)[0])
        sample = gen.generate_sample(index)
        if args.view == 'video':
            pts = SynthVideoRenderer(args.video_style).render(sample).frames  # (T, H, W, 3)
        elif args.view == 'coco2d':
            ann = gen.to_coco2d_annotation(sample)
            pts = ann['keypoint'] * np.array([1.0, -1.0])
        else:
            pts = gen.to_ntu3d_annotation(sample)['keypoint'][..., :2]
        rows.append((sample, pts))
    cols = args.frames
    fig, axes = plt.subplots(
        len(rows), cols, figsize=(1.6 * cols, 1.9 * len(rows)), squeeze=False)
    edges, left, right = ((COCO_EDGES, _LEFT_COCO, _RIGHT_COCO)
                          if args.view == 'coco2d' else
                          (NTU_EDGES, _LEFT_NTU, _RIGHT_NTU))
    for r, (sample, pts) in enumerate(rows):
        if args.view != 'video':
            flat = pts.reshape(-1, 2)
            lo, hi = flat.min(0), flat.max(0)
            pad = 0.05 * (hi - lo).max()
        for c, t in enumerate(
                np.linspace(0, sample.total_frames - 1, cols).astype(int)):
            ax = axes[r, c]
            if args.view == 'video':
                ax.imshow(pts[t], interpolation='nearest')
            else:
                for m in range(sample.num_persons):
                    draw_skeleton(ax, pts[m, t], edges, left, right,
                                  alpha=1.0 if m == 0 else 0.4)
                ax.set_xlim(lo[0] - pad, hi[0] + pad)
                ax.set_ylim(lo[1] - pad, hi[1] + pad)
            ax.set_aspect('equal')
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(
                    f'{SYNTH_CLASSES[sample.label]}\n'
                    f'yaw {sample.camera.yaw:.0f}'
                    f'{" M" if sample.mirrored else ""}',
                    fontsize=8)
            ax.set_title(f't={t}', fontsize=7, pad=2)
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
