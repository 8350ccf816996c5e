"""The mmengine code that posetools' engine copies or relies on is still mmengine 0.10.7's.

AtomicCheckpointHook, ResumableEpochBasedTrainLoop and EpochWorkerInit copy parts of private
mmengine functions or depend on their details (their docstrings say which). Another mmengine
changes them silently: this test names the function and what to re-check.
"""
import hashlib
import inspect

import mmengine
import pytest
from mmengine.dataset import utils as dataset_utils
from mmengine.hooks import CheckpointHook
from mmengine.runner import EpochBasedTrainLoop, Runner

# function -> (sha256 of its source in mmengine 0.10.7, first 16 hex digits; what to re-check)
PINNED = {
    CheckpointHook._save_checkpoint_with_step: (
        'cdbc1b54c7c88d95', 'AtomicCheckpointHook._save_checkpoint_with_step and ._save copy it '
        '(keep_ckpt_ids, last_ckpt, runner.save_checkpoint arguments, last_checkpoint)'),
    CheckpointHook._save_checkpoint: (
        'ec62a0a4f987522f', 'AtomicCheckpointHook relies on it saving through '
        '_save_checkpoint_with_step (step and meta of epoch checkpoints)'),
    CheckpointHook._save_best_checkpoint: (
        '8e1e477297ea08d7', 'AtomicCheckpointHook relies on it saving through '
        '_save_checkpoint_with_step or runner.save_checkpoint(backend_args=...)'),
    EpochBasedTrainLoop.run_epoch: (
        '5a9b993c3e9727d4', 'ResumableEpochBasedTrainLoop.run_epoch copies it in its skipping '
        'branch (hooks, model.train(), run_iter, _epoch += 1)'),
    EpochBasedTrainLoop.run: (
        '51ae20508b4d459f', 'ResumableEpochBasedTrainLoop.run relies on it calling before_train '
        'and then run_epoch once per epoch'),
    Runner.resume: (
        '30cc2d3b4e1afabd', 'ResumableEpochBasedTrainLoop relies on it setting train_loop._epoch '
        "and ._iter from the checkpoint's meta (and restoring the message hub)"),
    Runner.build_dataloader: (
        '5ba55eedc45e4f5f', 'install_epoch_worker_init replaces the partial(worker_init_fn, '
        'num_workers, rank, seed, disable_subprocess_warning) it sets by default'),
    dataset_utils.worker_init_fn: (
        '6c55a9ac2f31a4cd', 'EpochWorkerInit copies its seeding of random, NumPy and torch and '
        'its disable_subprocess_warning'),
}


@pytest.mark.parametrize('function', list(PINNED), ids=lambda function: function.__qualname__)
def test_mirrored_mmengine_function_is_unchanged(function):
    pinned, recheck = PINNED[function]
    source = inspect.getsource(function)
    digest = hashlib.sha256(source.encode()).hexdigest()[:len(pinned)]
    assert digest == pinned, (
        f'{function.__module__}.{function.__qualname__} differs in the installed mmengine '
        f'{mmengine.__version__} from 0.10.7, which posetools mirrors: re-check that '
        f'{recheck}; then update its hash here to {digest!r} and the version in the docstrings')
