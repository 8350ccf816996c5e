"""``benchmark.py skeleton-pipeline``: PreNormalize3D and the skeleton-transformer training
pipeline against mmaction2's, per sample."""
import argparse
import copy
from typing import Callable, Dict, List

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from posetools.benchmark.inputs import ntu_like_samples
from posetools.benchmark.report import print_speed_up_table
from posetools.benchmark.timer import seconds_per_sample

__all__ = ['add_parser', 'check_same_keypoints', 'run']


def stt_pipeline(prenormalize: str, clip_len: int) -> Compose:
    """The skeleton-transformer training pipeline with the ``prenormalize`` transform."""
    return Compose([
        dict(type=prenormalize),
        dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
        dict(type='mmaction.UniformSampleFrames', clip_len=clip_len),
        dict(type='mmaction.PoseDecode'),
        dict(type='mmaction.FormatGCNInput', num_person=2),
        dict(type='mmaction.PackActionInputs'),
    ])


def check_same_keypoints(reference: Callable[[Dict], Dict], ours: Callable[[Dict], Dict],
                         samples: List[Dict]) -> None:
    """AssertionError naming the first sample whose ``keypoint`` outputs are not equal."""
    for sample in samples:
        expected, got = reference(copy.deepcopy(sample)), ours(copy.deepcopy(sample))
        if not np.array_equal(expected['keypoint'], got['keypoint']):
            raise AssertionError(f"outputs differ on {sample['frame_dir']}")


def run(args: argparse.Namespace) -> None:
    """PreNormalize3D alone and the whole skeleton-transformer training pipeline."""
    init_default_scope('posetools')
    samples = ntu_like_samples(args.samples, args.frames, args.seed)
    reference = Compose([dict(type='mmaction.PreNormalize3D')])
    ours = Compose([dict(type='PreNormalize3D')])
    check_same_keypoints(reference, ours, samples[:20])
    rows = [(f'PreNormalize3D (T<={args.frames})', seconds_per_sample(reference, samples, 3),
             seconds_per_sample(ours, samples, 3))]
    rows.append((f'stt train pipeline (clip_len {args.clip_len})',
                 seconds_per_sample(stt_pipeline('mmaction.PreNormalize3D', args.clip_len),
                                    samples, 3),
                 seconds_per_sample(stt_pipeline('PreNormalize3D', args.clip_len), samples, 3)))
    print(f'{args.samples} NTU-like samples, 1-2 persons, up to {args.frames} frames, '
          'time per sample (best of 3):')
    print_speed_up_table(rows)


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``skeleton-pipeline`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('skeleton-pipeline', help=run.__doc__)
    parser.add_argument('--samples', type=int, default=200)
    parser.add_argument('--frames', type=int, default=300, help='longest clip (NTU: 300)')
    parser.add_argument('--clip-len', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    parser.set_defaults(run=run)
    return parser
