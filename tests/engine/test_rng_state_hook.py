"""RNG state capture/restore and the hook's use of the message hub."""
import random

import numpy as np
import torch
from mmengine.logging import MessageHub

from posetools.engine import RNGStateHook
from posetools.engine.rng_state_hook import (RANK_RNG_STATES_KEY, RNG_STATE_KEY,
                                             capture_rng_state, restore_rng_state)


def draws():
    return random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist()


def test_restore_replays_the_same_draws():
    state = capture_rng_state()
    first = draws()
    draws()
    restore_rng_state(state)
    assert draws() == first


def test_state_survives_weights_only_checkpoint(tmp_path):
    """The state holds only tensors and builtins: loadable without any allow-list."""
    state = capture_rng_state()
    expected = draws()
    path = tmp_path / 'state.pth'
    torch.save({'rng': state}, path)
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        loaded = torch.load(path, weights_only=True)['rng']
    finally:
        torch.serialization.add_safe_globals(saved)
    restore_rng_state(loaded)
    assert draws() == expected


class FakeRunner:

    def __init__(self, name):
        self.message_hub = MessageHub(name)
        self.logger = MessageHub  # only .info is used; any object with it will do

    def info(self, message):
        pass


def test_hook_restores_message_hub_state_and_isolates_validation():
    runner = FakeRunner('rng-hook-test')
    runner.logger = runner
    hook = RNGStateHook()
    checkpoint = dict(message_hub=runner.message_hub.state_dict())
    hook.before_save_checkpoint(runner, checkpoint)
    runner.message_hub.load_state_dict(checkpoint['message_hub'])  # what resume does
    after_iter = draws()
    restore_rng_state(runner.message_hub.get_info(RNG_STATE_KEY))

    hook.before_val_epoch(runner)
    np.random.seed(255)  # what mmaction's UniformSampleFrames(test_mode=True) does
    draws()
    hook.after_val_epoch(runner)
    assert draws() == after_iter  # validation left no trace

    draws()
    hook.before_train(runner)  # a resumed run restores the checkpointed state
    assert draws() == after_iter


class IterationCheckpointHook:
    """Stands for AtomicCheckpointHook: saves inside the epoch after batch ``at``."""

    def __init__(self, at):
        self.at = at

    def saves_inside_epoch(self, runner, batch_idx):
        return batch_idx == self.at


def test_iteration_checkpoints_carry_every_ranks_state(monkeypatch):
    """With 2 ranks, a checkpoint saved inside an epoch holds both ranks' states; each
    rank restores its own."""
    rank0 = capture_rng_state()
    draws()
    rank1 = capture_rng_state()  # the other rank's stream is elsewhere
    monkeypatch.setattr('posetools.engine.rng_state_hook.get_dist_info', lambda: (0, 2))
    monkeypatch.setattr('posetools.engine.rng_state_hook.all_gather_object',
                        lambda state: [state, rank1])
    runner = FakeRunner('rng-hook-ranks')
    runner.logger, runner.iter, runner.hooks = runner, 4, [IterationCheckpointHook(at=2)]
    hook = RNGStateHook()
    for batch_idx in (1, 2):
        restore_rng_state(rank0)
        hook.after_train_iter(runner, batch_idx)
        checkpoint = dict(message_hub=runner.message_hub.state_dict())
        hook.before_save_checkpoint(runner, checkpoint)
        saved = checkpoint['message_hub']['runtime_info'].get(RANK_RNG_STATES_KEY)
        assert (saved is not None) == (batch_idx == 2)  # gathered only where a save follows

    runner.message_hub.load_state_dict(checkpoint['message_hub'])
    monkeypatch.setattr('posetools.engine.rng_state_hook.get_dist_info', lambda: (1, 2))
    hook.before_train(runner)
    after_resume = draws()
    restore_rng_state(rank1)
    assert draws() == after_resume  # rank 1 continues from its own state
