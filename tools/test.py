"""Evaluate a checkpoint on a config's test split and print its metrics.

    python tools/test.py configs/skeleton_transformer/stt_synth.py work_dirs/stt_synth/epoch_40.pth
    python tools/test.py CONFIG CKPT --dump results.pkl   # per-sample scores for analysis
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.dist import is_main_process

from posetools.engine.launch import (add_launch_arguments, leave_distributed, load_config,
                                     setup_launcher)
from posetools.engine.runner import PosetoolsRunner
from posetools.utils.tool_errors import exit_on_user_error


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a posetools model')
    add_launch_arguments(parser)
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--dump', metavar='PKL', help='dump per-sample predictions to PKL')
    return parser.parse_args()


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the test options to the config (command line wins)."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'{args.checkpoint}: no such checkpoint')
    cfg.load_from = args.checkpoint
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump {args.dump}: the file must end with .pkl or .pickle')
        evaluators = cfg.test_evaluator
        evaluators = list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]
        evaluators.append(dict(type='DumpResults', out_file_path=args.dump))
        cfg.test_evaluator = evaluators
    return cfg


def main() -> None:
    args = parse_args()
    cfg = merge_args(load_config(args), args)
    setup_launcher(cfg, args.launcher)
    runner = PosetoolsRunner.from_cfg(cfg)
    metrics = runner.test()
    if is_main_process():  # every rank gets the metrics; print them once
        print(' '.join(f'{name}: {value:.4f}' for name, value in metrics.items()))
    leave_distributed()


if __name__ == '__main__':
    exit_on_user_error(main)
