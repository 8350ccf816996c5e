"""What every entry point (train, test, later submitit) does to a config before the Runner."""
import os.path as osp

import torch
from mmengine.config import Config

from posetools import compat


def default_work_dir(config_path: str) -> str:
    """``work_dirs/<config file name without extension>``."""
    return osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])


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
