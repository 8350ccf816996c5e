"""AtomicCheckpointHook: a crash while saving leaves a complete, loadable latest checkpoint."""
import os
from pathlib import Path
from typing import List, Tuple

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner.checkpoint import _load_checkpoint

from tests.engine.toy_runner import Crash, toy_runner, weights

KEEP_ONE = dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=1)


def crash_on_call(monkeypatch, module, name: str, call: int) -> None:
    """Make ``module.name`` raise :class:`Crash` on its ``call``-th call (1-based)."""
    original, calls = getattr(module, name), []

    def crashing(*args, **kwargs):
        calls.append(name)
        if len(calls) == call:
            raise Crash(f'{name} call {call}')
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, crashing)


def files(work_dir: Path) -> List[str]:
    """Checkpoints, the pointer and temporary files in ``work_dir``."""
    return sorted(path.name for path in work_dir.iterdir()
                  if path.suffix in ('.pth', '.tmp') or path.name == 'last_checkpoint')


# saving epoch 2 crashes while serialising (torch.save) or before the rename of the fully
# written temporary file (os.replace: 1 epoch_1.pth, 2 its pointer, 3 epoch_2.pth)
@pytest.mark.parametrize('function, call', [('save', 2), ('replace', 3)])
def test_crash_while_saving_keeps_the_last_checkpoint(tmp_path, monkeypatch, function, call):
    reference = toy_runner(tmp_path / 'reference')
    reference.train()

    work_dir = tmp_path / 'run'
    with monkeypatch.context() as patch:
        crash_on_call(patch, torch if function == 'save' else os, function, call)
        with pytest.raises(Crash):
            toy_runner(work_dir, checkpoint=KEEP_ONE).train()
    pointer = (work_dir / 'last_checkpoint').read_text()
    assert pointer == str(work_dir / 'epoch_1.pth')  # kept although max_keep_ckpts=1
    assert _load_checkpoint(pointer)['meta']['epoch'] == 1
    assert 'epoch_2.pth' not in files(work_dir)

    resumed = toy_runner(work_dir, checkpoint=KEEP_ONE, resume=True)
    resumed.train()
    assert files(work_dir) == ['epoch_2.pth', 'last_checkpoint']  # no temporary file left
    expected, actual = weights(reference), weights(resumed)
    assert all(torch.equal(expected[key], actual[key]) for key in expected)


def test_mmengine_hook_loses_its_only_checkpoint_in_the_same_crash(tmp_path, monkeypatch):
    """Why the hook exists: mmengine removes outdated checkpoints before saving."""
    crash_on_call(monkeypatch, torch, 'save', 2)
    with pytest.raises(Crash):
        toy_runner(tmp_path, checkpoint=dict(KEEP_ONE, type='CheckpointHook')).train()
    assert not Path((tmp_path / 'last_checkpoint').read_text()).exists()


class RecordCheckpointsHook(Hook):
    """Record (files, pointer name) after every iteration and epoch, after checkpointing."""

    priority = 'LOWEST'

    def __init__(self) -> None:
        self.states: List[Tuple[str, List[str], str]] = []

    def _record(self, runner, when: str) -> None:
        work_dir = Path(runner.work_dir)
        names = [name for name in files(work_dir) if name != 'last_checkpoint']
        pointer = (work_dir / 'last_checkpoint').read_text() if names else ''
        self.states.append((when, names, Path(pointer).name))

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        self._record(runner, f'iter {runner.iter + 1}')

    def after_train_epoch(self, runner) -> None:
        self._record(runner, f'epoch {runner.epoch + 1}')


def test_interval_iters_saves_inside_epochs_and_retires_those_checkpoints(tmp_path):
    runner = toy_runner(tmp_path, checkpoint=dict(KEEP_ONE, interval_iters=3))
    recorder = RecordCheckpointsHook()
    runner.register_hook(recorder)
    runner.train()
    # 4 iterations per epoch: iteration checkpoints at iterations 3 and 6; each is removed
    # by the next checkpoint; iteration checkpoints do not count in max_keep_ckpts
    states = {when: (names, pointer) for when, names, pointer in recorder.states}
    assert states['iter 3'] == (['iter_3.pth'], 'iter_3.pth')
    assert states['epoch 1'] == (['epoch_1.pth'], 'epoch_1.pth')
    assert states['iter 6'] == (['epoch_1.pth', 'iter_6.pth'], 'iter_6.pth')
    assert states['epoch 2'] == (['epoch_2.pth'], 'epoch_2.pth')
    # none at the last iteration of an epoch: the epoch checkpoint follows
    assert states['iter 4'] == states['iter 3']
    assert states['iter 8'] == states['iter 6']


def test_interval_iters_needs_the_resumable_loop(tmp_path):
    runner = toy_runner(tmp_path, checkpoint=dict(KEEP_ONE, interval_iters=2),
                        loop='EpochBasedTrainLoop')
    with pytest.raises(ValueError, match="train_cfg.type='ResumableEpochBasedTrainLoop'"):
        runner.train()
