"""What every entry point (train, test, submitit) does to a config before the Runner."""
import argparse
import glob
import os
import os.path as osp
from typing import Optional

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction

from posetools import compat
from posetools.utils.config_options import check_cfg_options


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config file name without extension>``."""
    return osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])


def add_launch_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every entry point shares: config, --work-dir, --cfg-options, --launcher."""
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. train_cfg.max_epochs=3')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """The config of ``args.config`` with ``--cfg-options`` merged and ``work_dir`` set.

    Raises:
        FileNotFoundError: There is no config file ``args.config``.
        ConfigOptionError: A ``--cfg-options`` key that nothing reads (see
            :func:`~posetools.utils.config_options.check_cfg_options`).
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'{args.config}: no such config file')
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        check_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or default_work_dir(args.config)
    return cfg


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Record ``launcher`` in ``cfg`` and make it work without a GPU.

    On CPU-only machines a gloo process group is created here (mmengine's own
    ``init_dist`` needs CUDA) and the model is wrapped by
    ``posetools.CPUDistributedDataParallel`` unless the config chose a wrapper.

    Args:
        cfg (Config): The config, modified in place.
        launcher (str): ``'none'``, ``'pytorch'`` or ``'slurm'``.
    """
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    cfg.setdefault('model_wrapper_cfg', dict(type='posetools.CPUDistributedDataParallel'))
    cfg.setdefault('env_cfg', dict()).setdefault('dist_cfg', dict())['backend'] = 'gloo'
    compat.init_cpu_distributed(launcher)


def latest_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``work_dir/last_checkpoint`` names, or None if there is none yet.

    Raises:
        FileNotFoundError: The pointer names a missing file, or the work dir holds
            checkpoints but no pointer: resuming must not silently start over next to them.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(pointer):
        checkpoints = sorted(osp.basename(path) for path in glob.glob(osp.join(work_dir, '*.pth')))
        if checkpoints:
            raise FileNotFoundError(
                f'--resume: {work_dir} holds {", ".join(checkpoints)} but no last_checkpoint '
                'naming the latest; choose one with --resume PATH')
        return None
    with open(pointer) as file:
        path = file.read().strip()
    if not osp.isfile(path):
        raise FileNotFoundError(f'--resume: {pointer} names {path!r}, which does not exist; '
                                'choose a checkpoint with --resume PATH')
    return path


def leave_distributed() -> None:
    """Let every rank leave together at the end of a run, then close the process group.

    A rank that exits while another still works (rank 0 writing its last checkpoint,
    dump or log) can make gloo abort that rank at exit ("terminate called without an
    active exception"). No-op without a process group.
    """
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
