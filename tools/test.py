"""Evaluate a checkpoint on a config's test split and print its metrics.

    python tools/test.py configs/skeleton_transformer/stt_synth.py work_dirs/stt_synth/epoch_30.pth
    python tools/test.py CONFIG CKPT --dump results.pkl   # per-sample scores for analysis
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from posetools.engine.launch import default_work_dir, setup_launcher


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a posetools model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where test logs go '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--dump', metavar='PKL', help='dump per-sample predictions to PKL')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. test_dataloader.batch_size=8')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply command-line options to the config (command line wins)."""
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'{args.checkpoint}: no such checkpoint')
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(args.config)
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
    cfg = merge_args(Config.fromfile(args.config), args)
    setup_launcher(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    print(' '.join(f'{name}: {value:.4f}' for name, value in metrics.items()))


if __name__ == '__main__':
    main()
