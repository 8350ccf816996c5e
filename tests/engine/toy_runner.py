"""A seconds-long mmengine Runner for checkpoint and resume tests: a linear model with
dropout on a dataset whose samples get random noise from the global NumPy generator."""
import uuid
from pathlib import Path
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset


class ToyModel(BaseModel):
    """``y = w x`` behind dropout, so training draws from torch's generator."""

    def __init__(self) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.5)
        with torch.random.fork_rng():  # the same initial weights in every runner
            torch.manual_seed(0)
            self.linear = nn.Linear(4, 1)

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor, mode: str = 'loss'):
        outputs = self.linear(self.dropout(inputs)).squeeze(-1)
        return dict(loss=F.mse_loss(outputs, targets)) if mode == 'loss' else outputs


class NoisyDataset(Dataset):
    """Fixed samples plus NumPy noise drawn at loading, like random augmentations."""

    def __init__(self, size: int = 8) -> None:
        self.inputs = torch.linspace(-1, 1, size * 4).reshape(size, 4)
        self.targets = self.inputs.sum(1)

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> Dict[str, torch.Tensor]:
        noise = torch.from_numpy(np.random.normal(scale=0.1, size=4).astype(np.float32))
        return dict(inputs=self.inputs[index] + noise, targets=self.targets[index])


class Crash(Exception):
    """A simulated kill."""


class CrashAtIterHook(Hook):
    """Raise :class:`Crash` before training iteration ``at`` (0-based), like a kill."""

    def __init__(self, at: int) -> None:
        self.at = at

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if runner.iter == self.at:
            raise Crash(f'crash before iteration {self.at}')


def toy_runner(work_dir: Path, max_epochs: int = 2, batch_size: int = 2, num_workers: int = 0,
               checkpoint: Optional[dict] = None, loop: str = 'ResumableEpochBasedTrainLoop',
               resume: bool = False, crash_at: Optional[int] = None) -> Runner:
    """A seeded Runner (8 samples, shuffled) with RNGStateHook and ``checkpoint`` as hook."""
    checkpoint = checkpoint or dict(type='AtomicCheckpointHook', interval=1)
    custom_hooks = [dict(type='RNGStateHook')]
    if crash_at is not None:
        custom_hooks.append(CrashAtIterHook(crash_at))
    return Runner(
        model=ToyModel(),
        work_dir=str(work_dir),
        experiment_name=uuid.uuid4().hex,  # one MessageHub per runner in this process
        train_dataloader=dict(
            dataset=NoisyDataset(), batch_size=batch_size, num_workers=num_workers,
            persistent_workers=False, sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate')),
        train_cfg=dict(type=loop, max_epochs=max_epochs),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        default_hooks=dict(checkpoint=checkpoint, logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=custom_hooks,
        default_scope='posetools',
        randomness=dict(seed=0),
        resume=resume,
        env_cfg=dict(mp_cfg=dict(mp_start_method='fork')))


def weights(runner: Runner) -> Dict[str, torch.Tensor]:
    """A copy of the runner's model weights."""
    return {key: value.clone() for key, value in runner.model.state_dict().items()}
