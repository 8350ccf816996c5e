"""Draw one SynthAction sample per class as a grid of frames: skeletons or rendered video.

Example:
    python tools/analysis/vis_synth.py        # writes work_dirs/synth_grid.png
    python tools/analysis/vis_synth.py --view ntu3d --out work_dirs/synth3d.png
    python tools/analysis/vis_synth.py --view video --video-style pixel --out work_dirs/pixel.png
"""
import argparse
import os
import os.path as osp

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from posetools.datasets.synth import (SYNTH_CLASSES, VIDEO_STYLES,  # noqa: E402
                                      SynthActionGenerator, SynthVideoRenderer)
from posetools.visualization import COCO17, NTU25, draw_skeleton  # noqa: E402


def parse_args() -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=osp.join('work_dirs', 'synth_grid.png'),
                        help='PNG path (default: %(default)s)')
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
    topology = COCO17 if args.view == 'coco2d' else NTU25
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
                    draw_skeleton(ax, pts[m, t], topology,
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
    os.makedirs(osp.dirname(args.out) or '.', exist_ok=True)
    fig.savefig(args.out, dpi=80)
    print(f'saved {args.out}')


if __name__ == '__main__':
    main()
