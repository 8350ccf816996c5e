"""Speed of posetools against the reference it replaces, measured in the same run.

    python tools/analysis/benchmark.py skeleton-pipeline [--samples 200] [--frames 300]

Each topic times the reference (mmaction2) and posetools on identical inputs, checks
that the outputs agree, and prints a table with the speed-up ratio.
"""
import argparse
import copy
import time
from typing import Callable, Dict, List

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

import posetools  # noqa: F401  (registers posetools modules, applies compat)


def ntu_like_samples(count: int, max_frames: int, seed: int) -> List[Dict]:
    """Random 3D skeleton annotations shaped like NTU's: 1-2 persons, empty frames."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        frames = int(rng.integers(max_frames // 2, max_frames + 1))
        persons = 1 + int(rng.random() < 0.3)
        keypoint = rng.normal(size=(persons, frames, 25, 3)).astype(np.float32)
        keypoint[:, rng.random(frames) < 0.05] = 0
        samples.append(dict(frame_dir=f'sample{index}', label=0, total_frames=frames,
                            keypoint=keypoint, start_index=0, modality='Pose'))
    return samples


def seconds_per_sample(function: Callable[[Dict], Dict], samples: List[Dict],
                       repeats: int) -> float:
    """Best-of-``repeats`` mean time of ``function`` over fresh copies of ``samples``."""
    best = float('inf')
    for _ in range(repeats):
        inputs = copy.deepcopy(samples)
        start = time.perf_counter()
        for sample in inputs:
            function(sample)
        best = min(best, (time.perf_counter() - start) / len(samples))
    return best


def stt_pipeline(prenormalize: str, clip_len: int) -> Compose:
    return Compose([
        dict(type=prenormalize),
        dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
        dict(type='mmaction.UniformSampleFrames', clip_len=clip_len),
        dict(type='mmaction.PoseDecode'),
        dict(type='mmaction.FormatGCNInput', num_person=2),
        dict(type='mmaction.PackActionInputs'),
    ])


def print_table(rows: List[tuple]) -> None:
    print(f'| {"what":<40} | {"mmaction2 ms":>12} | {"posetools ms":>12} | {"speed-up":>8} |')
    print(f'| {"-" * 40} | {"-" * 12}:| {"-" * 12}:| {"-" * 8}:|')
    for name, reference, ours in rows:
        print(f'| {name:<40} | {reference * 1e3:12.3f} | {ours * 1e3:12.3f} | '
              f'{reference / ours:7.1f}x |')


def skeleton_pipeline(args: argparse.Namespace) -> None:
    """PreNormalize3D alone and the whole skeleton-transformer training pipeline."""
    init_default_scope('posetools')
    samples = ntu_like_samples(args.samples, args.frames, args.seed)
    reference, ours = Compose([dict(type='mmaction.PreNormalize3D')]), Compose(
        [dict(type='PreNormalize3D')])
    for sample in samples[:20]:
        expected, got = reference(copy.deepcopy(sample)), ours(copy.deepcopy(sample))
        if not np.array_equal(expected['keypoint'], got['keypoint']):
            raise AssertionError(f"outputs differ on {sample['frame_dir']}")
    rows = [(f'PreNormalize3D (T<={args.frames})', seconds_per_sample(reference, samples, 3),
             seconds_per_sample(ours, samples, 3))]
    rows.append((f'stt train pipeline (clip_len {args.clip_len})',
                 seconds_per_sample(stt_pipeline('mmaction.PreNormalize3D', args.clip_len),
                                    samples, 3),
                 seconds_per_sample(stt_pipeline('PreNormalize3D', args.clip_len), samples, 3)))
    print(f'{args.samples} NTU-like samples, 1-2 persons, up to {args.frames} frames, '
          'time per sample (best of 3):')
    print_table(rows)


TOPICS = {'skeleton-pipeline': skeleton_pipeline}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    topics = parser.add_subparsers(dest='topic', required=True)
    pipeline = topics.add_parser('skeleton-pipeline', help=skeleton_pipeline.__doc__)
    pipeline.add_argument('--samples', type=int, default=200)
    pipeline.add_argument('--frames', type=int, default=300, help='longest clip (NTU: 300)')
    pipeline.add_argument('--clip-len', type=int, default=100)
    pipeline.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    TOPICS[args.topic](args)


if __name__ == '__main__':
    main()
