"""Train a posetools recipe with the mmengine Runner.

    python tools/train.py configs/skeleton_transformer/stt_synth.py
    python tools/train.py CONFIG --resume              # continue from work_dir's latest checkpoint
    python tools/train.py CONFIG --checkpoint-interval-iters 500   # also checkpoint inside epochs
    torchrun --nproc_per_node 2 tools/train.py CONFIG --launcher pytorch
"""
import argparse
import os.path as osp
from typing import List, Optional

import torch
from mmengine.config import Config

from posetools.engine.launch import (add_launch_arguments, latest_checkpoint, leave_distributed,
                                     load_config, setup_launcher)
from posetools.engine.runner import PosetoolsRunner
from posetools.utils.tool_errors import exit_on_user_error


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse ``argv`` (default: ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Train a posetools model')
    add_launch_arguments(parser)
    parser.add_argument(
        '--resume', nargs='?', const='auto', metavar='auto|PATH',
        help='resume from PATH, or with no value (or "auto") from the latest checkpoint '
        'in the work dir; starts fresh, with a message, if there is none yet')
    parser.add_argument(
        '--checkpoint-interval-iters', type=int, metavar='N',
        help='also checkpoint every N iterations inside epochs (for long epochs; needs '
        'AtomicCheckpointHook and ResumableEpochBasedTrainLoop, as the recipes use)')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--no-validate', action='store_true', help='skip validation')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual/base batch size ratio')
    parser.add_argument('--seed', type=int, help='random seed (overrides the config)')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='use a different seed on each rank')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic algorithms (reproducible, slower)')
    return parser.parse_args(argv)


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the training options to the config (command line wins)."""

    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    if args.amp:
        if not torch.cuda.is_available():
            raise ValueError('--amp needs a CUDA GPU (mmengine\'s AmpOptimWrapper); '
                             'train without --amp on this machine')
        wrapper_type = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper_type not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp needs OptimWrapper, the config uses {wrapper_type}')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise ValueError('--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=...)` '
                             'in the config')
        cfg.auto_scale_lr.enable = True

    if args.checkpoint_interval_iters is not None:
        checkpoint_hook = cfg.get('default_hooks', dict()).get('checkpoint') or dict()
        if checkpoint_hook.get('type') not in ('AtomicCheckpointHook',
                                               'posetools.AtomicCheckpointHook'):
            raise ValueError('--checkpoint-interval-iters needs '
                             "default_hooks.checkpoint.type='AtomicCheckpointHook', the config "
                             f"has {checkpoint_hook.get('type')}")
        checkpoint_hook.interval_iters = args.checkpoint_interval_iters

    randomness = {'seed': None, **(cfg.get('randomness') or {})}
    if args.seed is not None:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    cfg.randomness = randomness

    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = None if args.resume == 'auto' else args.resume
        if cfg.load_from is not None and not osp.isfile(cfg.load_from):
            raise FileNotFoundError(f'--resume {cfg.load_from}: no such checkpoint')
    return cfg


def main(argv: Optional[List[str]] = None) -> None:
    """Train as ``python tools/train.py *argv`` would (default: ``sys.argv[1:]``)."""
    args = parse_args(argv)
    cfg = merge_args(load_config(args), args)
    if cfg.resume and cfg.load_from is None:
        cfg.load_from = latest_checkpoint(cfg.work_dir)
        if cfg.load_from is None:
            print(f'--resume: no checkpoint in {cfg.work_dir} yet, starting from scratch')
            cfg.resume = False
    setup_launcher(cfg, args.launcher)
    runner = PosetoolsRunner.from_cfg(cfg)
    runner.train()
    leave_distributed()


if __name__ == '__main__':
    exit_on_user_error(main)
