"""Convert raw NTU RGB+D ``.skeleton`` files into an mmaction2 3D annotation pkl.

Example::

    python tools/data/ntu_raw_to_pkl.py data/nturgb+d_skeletons data/skeleton/ntu60_3d.pkl \\
        --dataset ntu60 --missing-list NTU_RGBD_samples_with_missing_skeletons.txt

The person selection equals mmaction2's ``gen_ntu_rgbd_raw.py`` (see
:mod:`posetools.datasets.ntu_raw`); ``--dtype float16`` reproduces its arrays bit for bit.
"""
import argparse
import sys
from typing import List, Optional

import mmengine
import numpy as np

from posetools.datasets.ntu_raw import (NUM_BODY_SLOTS, SPLIT_NAMES, NTUConversion,
                                        NTUSampleNameError, NTUSkeletonFormatError,
                                        convert_ntu_skeletons, read_sample_list)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('skeleton_dir', help='folder with the raw .skeleton files')
    parser.add_argument('out_pkl', help='output annotation file (.pkl)')
    parser.add_argument('--dataset', choices=tuple(SPLIT_NAMES), default='ntu60',
                        help='ntu60 ignores files with action > 60 or setup > 17')
    parser.add_argument('--missing-list', metavar='FILE',
                        help='samples to skip, one name per line (e.g. NTU\'s '
                        'samples_with_missing_skeletons.txt)')
    parser.add_argument('--max-persons', type=int, default=2,
                        choices=range(1, NUM_BODY_SLOTS + 1), metavar=f'1..{NUM_BODY_SLOTS}',
                        help='maximum number of persons kept per sample (default: 2)')
    parser.add_argument('--skip-bad', action='store_true',
                        help='skip malformed or badly named files instead of stopping')
    parser.add_argument('--dtype', choices=('float32', 'float16'), default='float32',
                        help='keypoint dtype (float16: as mmaction2\'s script)')
    parser.add_argument('--num-workers', type=int, default=0,
                        help='parsing processes (default: 0, parse in the main process)')
    return parser.parse_args(argv)


def print_summary(result: NTUConversion, args: argparse.Namespace) -> None:
    """Prints what was written and what was skipped."""
    print(f'Wrote {len(result.data["annotations"])} samples ({args.dataset}, '
          f'{args.dtype}) to {args.out_pkl}')
    print(f'  skipped (missing list): {len(result.skipped_missing)}')
    print(f'  skipped (not in {args.dataset}): {len(result.skipped_other_dataset)}')
    print(f'  skipped (bad files): {len(result.skipped_bad)}')
    for _, message in result.skipped_bad:  # the message names the file
        print(f'    {message}')
    if result.empty:
        print(f'  warning: {len(result.empty)} samples have no person: '
              f'{", ".join(result.empty)}')
    for name, frame_dirs in result.data['split'].items():
        print(f'  {name}: {len(frame_dirs)}')


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the conversion; returns the exit status."""
    args = parse_args(argv)
    missing = read_sample_list(args.missing_list) if args.missing_list else set()
    try:
        result = convert_ntu_skeletons(
            args.skeleton_dir,
            dataset=args.dataset,
            missing=missing,
            max_persons=args.max_persons,
            skip_bad=args.skip_bad,
            dtype=np.dtype(args.dtype),
            num_workers=args.num_workers)
    except (NTUSkeletonFormatError, NTUSampleNameError) as err:
        print(f'error: {err}\n(use --skip-bad to skip such files)', file=sys.stderr)
        return 1
    mmengine.dump(result.data, args.out_pkl)
    print_summary(result, args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
