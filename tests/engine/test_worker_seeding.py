"""Data-loader workers draw new augmentations every epoch, and the same ones after a resume."""
import pickle
from functools import partial
from typing import Dict, List, Tuple

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import worker_init_fn as mmengine_worker_init_fn
from mmengine.hooks import Hook
from torch.utils.data import DataLoader

from posetools.engine.rng_state_hook import capture_rng_state, restore_rng_state
from posetools.engine.worker_seeding import (EpochWorkerInit, epoch_worker_seed,
                                             install_epoch_worker_init)
from tests.engine.toy_runner import Crash, NoisyDataset, toy_runner
from tests.helpers import REPO_ROOT

# 8 samples at batch 2: 4 iterations per epoch; a crash before iteration 7 resumes from
# iter_6.pth, in the middle of epoch 2 (see test_train_loop.py)
MID_EPOCH = dict(type='AtomicCheckpointHook', interval=1, interval_iters=2)


class RecordNoiseHook(Hook):
    """Record the noise each training batch got from the workers: (iteration) -> (B, 4)."""

    def __init__(self) -> None:
        base = NoisyDataset()
        self.base: Dict[float, torch.Tensor] = dict(zip(base.targets.tolist(), base.inputs))
        self.noise: Dict[int, torch.Tensor] = {}

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        clean = torch.stack([self.base[target] for target in data_batch['targets'].tolist()])
        self.noise[runner.iter] = data_batch['inputs'] - clean


def train_recording(*args, **kwargs) -> Dict[int, torch.Tensor]:
    """Train ``toy_runner(*args, **kwargs)`` and return the noise of each iteration."""
    runner = toy_runner(*args, **kwargs)
    recorder = RecordNoiseHook()
    runner.register_hook(recorder)
    runner.train()
    return recorder.noise


def test_workers_draw_new_noise_every_epoch_and_the_same_after_resume(tmp_path):
    reference = train_recording(tmp_path / 'reference', num_workers=2)
    assert sorted(reference) == list(range(8))
    # each batch position is loaded by the same worker in both epochs (worker b % 2);
    # mmengine's seeds (num_workers * rank + worker_id + seed) made them draw alike
    for batch in range(4):
        first, second = reference[batch], reference[4 + batch]
        assert not torch.isclose(first, second).any(), f'batch {batch} repeats epoch 1 noise'

    with pytest.raises(Crash):
        train_recording(tmp_path / 'run', num_workers=2, checkpoint=MID_EPOCH, crash_at=7)
    resumed = train_recording(tmp_path / 'run', num_workers=2, checkpoint=MID_EPOCH,
                              resume=True)
    assert sorted(resumed) == [6, 7]  # iterations 4 and 5 were skipped, not trained
    for iteration in resumed:
        assert torch.equal(resumed[iteration], reference[iteration]), iteration


def test_install_replaces_only_mmengine_default():
    default = partial(mmengine_worker_init_fn, num_workers=2, rank=3, seed=5,
                      disable_subprocess_warning=True)
    loader = DataLoader(NoisyDataset(), num_workers=2, worker_init_fn=default)
    installed = install_epoch_worker_init(loader)
    assert loader.worker_init_fn is installed and install_epoch_worker_init(loader) is installed
    assert (installed.rank, installed.seed, installed.disable_subprocess_warning) == (3, 5, True)
    installed.epoch = 4  # travels to spawned workers with the loader
    copy = pickle.loads(pickle.dumps(installed))
    assert (copy.epoch, copy.rank, copy.seed) == (4, 3, 5)

    def own(worker_id: int) -> None:
        """A worker_init_fn set in a config."""

    for init_fn in (own, None):
        loader = DataLoader(NoisyDataset(), num_workers=2, worker_init_fn=init_fn)
        assert install_epoch_worker_init(loader) is None and loader.worker_init_fn is init_fn


def test_seeds_differ_for_every_epoch_rank_and_worker():
    keys: List[Tuple[int, int, int]] = [(epoch, rank, worker) for epoch in range(20)
                                        for rank in range(4) for worker in range(8)]
    seeds = {epoch_worker_seed(0, *key) for key in keys}
    assert len(seeds) == len(keys)
    assert epoch_worker_seed(0, 1, 0, 0) == epoch_worker_seed(0, 1, 0, 0)
    assert epoch_worker_seed(0, 1, 0, 0) != epoch_worker_seed(1, 1, 0, 0)
    assert all(0 <= seed < 2**32 for seed in seeds)
    state = capture_rng_state()
    try:
        EpochWorkerInit(rank=0, seed=0)(worker_id=0)  # seeds this process as a worker would
        drawn = torch.rand(3)
    finally:
        restore_rng_state(state)
    expected = torch.Generator().manual_seed(epoch_worker_seed(0, 0, 0, 0))
    assert torch.equal(drawn, torch.rand(3, generator=expected))


RECIPES = sorted(path for path in (REPO_ROOT / 'configs').glob('*/*.py')
                 if path.parent.name != '_base_')


@pytest.mark.parametrize('config', RECIPES, ids=lambda path: f'{path.parent.name}/{path.name}')
def test_every_recipe_trains_with_the_loop_that_seeds_workers_per_epoch(config):
    train_cfg = Config.fromfile(str(config)).train_cfg
    assert train_cfg.type in ('ResumableEpochBasedTrainLoop',
                              'posetools.ResumableEpochBasedTrainLoop'), train_cfg
