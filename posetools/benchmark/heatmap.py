"""``benchmark.py heatmap``: GeneratePoseTarget (PoseConv3D heatmap volumes) against
mmaction2's, per sample."""
import argparse
import copy
from typing import Callable, Dict, List, Tuple

import numpy as np
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from posetools.benchmark.inputs import coco_2d_samples
from posetools.benchmark.report import print_speed_up_table
from posetools.benchmark.timer import seconds_per_sample

__all__ = ['add_parser', 'check_same_heatmaps', 'run']


def check_same_heatmaps(reference: Callable[[Dict], Dict], ours: Callable[[Dict], Dict],
                        samples: List[Dict], name: str) -> Tuple[int, ...]:
    """AssertionError naming the first sample whose ``imgs`` (T, C, H, W) differ in shape or
    by more than 1e-5; otherwise the shape of the last one."""
    for sample in samples:
        expected, got = reference(copy.deepcopy(sample)), ours(copy.deepcopy(sample))
        same_shape = expected['imgs'].shape == got['imgs'].shape
        difference = np.abs(expected['imgs'] - got['imgs']).max() if same_shape else np.inf
        if not difference <= 1e-5:
            raise AssertionError(f"{name} heatmaps differ on {sample['frame_dir']}: "
                                 f"{expected['imgs'].shape} vs {got['imgs'].shape}, "
                                 f'max abs difference {difference}')
    return tuple(got['imgs'].shape)


def run(args: argparse.Namespace) -> None:
    """GeneratePoseTarget (PoseConv3D heatmap volumes) for joints and for limbs."""
    init_default_scope('posetools')
    samples = coco_2d_samples(args.samples, args.frames, args.persons, args.size, args.seed)
    rows = []
    for name, kwargs in (('joints', dict(with_kp=True, with_limb=False)),
                         ('limbs', dict(with_kp=False, with_limb=True))):
        kwargs.update(sigma=args.sigma, use_score=True)
        reference = Compose([dict(type='mmaction.GeneratePoseTarget', **kwargs)])
        ours = Compose([dict(type='GeneratePoseTarget', **kwargs)])
        shape = check_same_heatmaps(reference, ours, samples, name)
        # each volume is dropped after its call, as a data loader does once it is batched:
        # keeping all of them alive would add the cost of faulting in fresh memory (about
        # 4 ms per 10 MB volume on a VM) to both implementations
        rows.append((f'{name} {shape}',
                     seconds_per_sample(lambda sample: reference(dict(sample)), samples, 3),
                     seconds_per_sample(lambda sample: ours(dict(sample)), samples, 3)))
    print(f'GeneratePoseTarget on {args.samples} COCO-like samples, {args.persons} persons, '
          f'{args.frames} frames, {args.size}x{args.size}, sigma {args.sigma}, output shape '
          '(T, C, H, W), time per sample (best of 3):')
    print_speed_up_table(rows)


def add_parser(topics: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The ``heatmap`` sub-parser of benchmark.py's ``topics``."""
    parser = topics.add_parser('heatmap', help=run.__doc__)
    parser.add_argument('--samples', type=int, default=20)
    parser.add_argument('--frames', type=int, default=48, help='clip length (PoseC3D: 48)')
    parser.add_argument('--persons', type=int, default=2)
    parser.add_argument('--size', type=int, default=56, help='heatmap side (PoseC3D: 56)')
    parser.add_argument('--sigma', type=float, default=0.6)
    parser.add_argument('--seed', type=int, default=0)
    parser.set_defaults(run=run)
    return parser
