"""Generate the SynthAction skeleton dataset (3D NTU-25 and 2D COCO-17 pkls) and its videos.

Example:
    python tools/data/gen_synth.py                  # -> data/synth/*.pkl
    python tools/data/gen_synth.py --num-samples 2400 --num-classes 12
    python tools/data/gen_synth.py --videos         # also data/synth/videos/*.mp4 + lists
    # the video MAE / DMAE SynthAction data: 4800 'pixel' clips of 64 x 64
    python tools/data/gen_synth.py --videos --num-samples 4800 --out-dir data/synth_video
    python tools/data/gen_synth.py --videos --video-style classic   # issue 4's harder look
"""
import argparse
import os
import time
from collections import Counter

from posetools.datasets.synth import (SYNTH_CLASSES, VIDEO_STYLES, SynthActionGenerator,
                                      SynthVideoRenderer, write_video_dataset)


def parse_args() -> argparse.Namespace:
    """Command line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default='data/synth',
                        help='writes synth_ntu3d.pkl and synth_coco2d.pkl')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-samples', type=int, default=1200)
    parser.add_argument('--num-classes', type=int, default=10,
                        help=f'2..{len(SYNTH_CLASSES)}: the first classes '
                        f'of {", ".join(SYNTH_CLASSES)}')
    parser.add_argument('--min-frames', type=int, default=48)
    parser.add_argument('--max-frames', type=int, default=80)
    parser.add_argument('--noise', type=float, default=1.0,
                        help='observation noise scale (0: clean)')
    parser.add_argument('--second-person-prob', type=float, default=0.3)
    parser.add_argument('--videos', action='store_true',
                        help='also render videos/<frame_dir>.mp4, the VideoDataset lists '
                        'synth_videos_xsub_{train,val}.txt and synth_videos.pkl (per-frame '
                        'keypoints and person boxes)')
    parser.add_argument('--video-style', choices=sorted(VIDEO_STYLES), default='pixel',
                        help="'pixel' (default): the actor fills a 64x64 frame, wide limbs, "
                        "one clothing palette, flat background; 'classic': the whole camera "
                        'view at 120x160, random clothing, textured panning background')
    parser.add_argument('--video-size', type=int, nargs=2, metavar=('H', 'W'),
                        help="video frame size, even numbers (default: the style's, "
                        + ', '.join(f'{name} {style.size[0]} {style.size[1]}'
                                    for name, style in VIDEO_STYLES.items()) + ')')
    args = parser.parse_args()
    if args.video_size and any(side < 8 or side % 2 for side in args.video_size):
        parser.error(f'--video-size needs even sizes >= 8, got {args.video_size}')
    return args


def main() -> None:
    """Generate, write and summarise the dataset."""
    args = parse_args()
    start = time.time()
    gen = SynthActionGenerator(
        num_samples=args.num_samples,
        num_classes=args.num_classes,
        min_frames=args.min_frames,
        max_frames=args.max_frames,
        seed=args.seed,
        noise=args.noise,
        second_person_prob=args.second_person_prob)
    paths = gen.write_dataset(args.out_dir, progress=True)
    elapsed = time.time() - start

    label_of = dict(zip(gen.frame_dirs, gen.labels))
    print(f'{"class":<12}' + ''.join(f'{s:>12}' for s in gen.split))
    counts = {s: Counter(label_of[d] for d in names)
              for s, names in gen.split.items()}
    for label, name in enumerate(gen.classes):
        print(f'{name:<12}' + ''.join(f'{c[label]:>12}'
                                      for c in counts.values()))
    print(f'{"total":<12}' + ''.join(f'{sum(c.values()):>12}'
                                     for c in counts.values()))
    print(f'wrote {paths[0]} and {paths[1]} in {elapsed:.1f}s')

    if args.videos:
        start = time.time()
        renderer = SynthVideoRenderer(args.video_style, args.video_size)
        video_paths = write_video_dataset(gen, args.out_dir, renderer, progress=True)
        elapsed = time.time() - start
        video_dir = video_paths['videos']
        size = sum(os.path.getsize(os.path.join(video_dir, f'{name}.mp4'))
                   for name in gen.frame_dirs)
        height, width = renderer.size
        print(f'wrote {gen.num_samples} {args.video_style} videos of {height}x{width} '
              f'to {video_dir} ({size / 2**20:.1f} MiB), {video_paths["xsub_train"]}, '
              f'{video_paths["xsub_val"]} and {video_paths["annotations"]} in {elapsed:.1f}s '
              f'({gen.num_samples / elapsed:.0f} clips/s)')


if __name__ == '__main__':
    main()
