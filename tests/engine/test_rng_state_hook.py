"""RNG state capture/restore and the hook's use of the message hub."""
import random

import numpy as np
import torch
from mmengine.logging import MessageHub

from posetools.engine import RNGStateHook
from posetools.engine.rng_state_hook import RNG_STATE_KEY, capture_rng_state, restore_rng_state


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
