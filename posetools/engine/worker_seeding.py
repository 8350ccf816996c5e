"""Data-loader worker seeds that change with the epoch and are the same after a resume."""
import random
import warnings
from functools import partial
from typing import Optional

import numpy as np
import torch
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from torch.utils.data import DataLoader


def epoch_worker_seed(seed: int, epoch: int, rank: int, worker_id: int) -> int:
    """The 32-bit seed of data-loader worker ``worker_id`` of ``rank`` in ``epoch``.

    Mixed by NumPy's ``SeedSequence``: every (seed, epoch, rank, worker) gets its own stream,
    where sums such as mmengine's ``num_workers * rank + worker_id + seed`` collide.
    """
    return int(np.random.SeedSequence([seed, epoch, rank, worker_id]).generate_state(1)[0])


class EpochWorkerInit:
    """mmengine's default ``worker_init_fn`` with the epoch in the seed.

    Mirrors ``worker_init_fn`` of ``mmengine/dataset/utils.py`` (mmengine 0.10.7, lines
    19-41; pinned by ``tests/engine/test_mmengine_mirrors.py``), which seeds Python, NumPy
    and torch with ``num_workers * rank + worker_id + seed``: with
    ``persistent_workers=False`` (needed for exact ``--resume``) workers restart every epoch
    and then draw the same augmentations every epoch. Here the seed also depends on
    :attr:`epoch`, which the training loop sets before each epoch starts its workers (see
    ``ResumableEpochBasedTrainLoop``); a resumed epoch draws what the interrupted one did.

    The object travels to the workers with the data loader (pickled under the ``spawn``
    start method, copied under ``fork``), with the epoch it had when they started.

    Args:
        rank (int): The process's rank.
        seed (int): The run's seed.
        disable_subprocess_warning (bool): Silence warnings in workers other than worker
            0, as mmengine's option. Defaults to False.
    """

    def __init__(self, rank: int, seed: int, disable_subprocess_warning: bool = False) -> None:
        self.rank = rank
        self.seed = seed
        self.disable_subprocess_warning = disable_subprocess_warning
        self.epoch = 0

    def __call__(self, worker_id: int) -> None:
        """Seed Python, NumPy and torch in the worker ``worker_id`` that is starting."""
        worker_seed = epoch_worker_seed(self.seed, self.epoch, self.rank, worker_id)
        # the global generators on purpose: mmaction2's transforms (SampleFrames, flips,
        # crops) draw from np.random / random directly, as mmengine's worker_init_fn assumes
        np.random.seed(worker_seed)
        random.seed(worker_seed)
        torch.manual_seed(worker_seed)
        if self.disable_subprocess_warning and worker_id != 0:
            warnings.simplefilter('ignore')


def install_epoch_worker_init(dataloader: DataLoader) -> Optional[EpochWorkerInit]:
    """Give ``dataloader`` an :class:`EpochWorkerInit` in place of mmengine's default.

    ``Runner.build_dataloader`` (``mmengine/runner/runner.py``, mmengine 0.10.7, lines
    1430-1442) sets ``partial(worker_init_fn, num_workers=..., rank=..., seed=...,
    disable_subprocess_warning=...)`` whenever the run has a seed and the config names no
    ``worker_init_fn``; its arguments are kept. A ``worker_init_fn`` chosen in the config,
    or none (no seed), is left alone.

    Returns:
        EpochWorkerInit | None: The function whose ``epoch`` to set before each epoch, or
        None when the data loader keeps its own.
    """
    init_fn = dataloader.worker_init_fn
    if isinstance(init_fn, EpochWorkerInit):
        return init_fn
    if not (isinstance(init_fn, partial) and init_fn.func is mmengine_worker_init_fn):
        return None
    options = init_fn.keywords
    epoch_init = EpochWorkerInit(
        rank=options['rank'], seed=options['seed'],
        disable_subprocess_warning=options.get('disable_subprocess_warning', False))
    dataloader.worker_init_fn = epoch_init
    return epoch_init
