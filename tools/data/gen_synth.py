"""Generate the SynthAction skeleton dataset (3D NTU-25 and 2D COCO-17 pkls).

Example:
    python tools/data/gen_synth.py                  # -> data/synth/*.pkl
    python tools/data/gen_synth.py --num-samples 2400 --num-classes 12
"""
import argparse
import time
from collections import Counter

from posetools.datasets.synth import SYNTH_CLASSES, SynthActionGenerator


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
    return parser.parse_args()


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


if __name__ == '__main__':
    main()
