"""Carry the random-generator state through checkpoints so resumed runs are exact."""
import random
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.hooks import Hook

from posetools.registry import HOOKS

RNG_STATE_KEY = 'rng_state'


def capture_rng_state() -> Dict:
    """Python, NumPy and torch (CPU and CUDA) generator states, checkpoint-safe.

    NumPy's key array is stored as a tensor so ``torch.load(weights_only=True)``
    reads it without extra allow-listing.
    """
    bit_generator, keys, position, has_gauss, cached_gaussian = np.random.get_state()
    return dict(
        python=random.getstate(),
        numpy=(bit_generator, torch.from_numpy(keys.astype(np.int64)), position, has_gauss,
               cached_gaussian),
        torch=torch.get_rng_state(),
        cuda=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    )


def restore_rng_state(state: Dict) -> None:
    """Inverse of :func:`capture_rng_state`."""
    random.setstate(state['python'])
    bit_generator, keys, position, has_gauss, cached_gaussian = state['numpy']
    np.random.set_state(
        (bit_generator, keys.numpy().astype(np.uint32), position, has_gauss, cached_gaussian))
    torch.set_rng_state(state['torch'])
    if state['cuda'] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make ``--resume`` continue the random streams of the interrupted run.

    mmengine reseeds at start-up only, so after a resume dropout, drop path and
    main-process augmentations draw different numbers than the uninterrupted run
    would have. This hook writes the generator states into the message hub of every
    checkpoint it is saved with (resume restores the message hub) and restores them
    before training continues. Validation runs between a checkpoint and the next
    epoch, so it is made RNG-neutral: states are saved before it and restored after it.

    Data-loader workers are reseeded by mmengine at every worker start, so exact
    resumes need ``persistent_workers=False`` (or ``num_workers=0``).
    """

    def __init__(self) -> None:
        self._state_before_val: Optional[Dict] = None

    def before_train(self, runner) -> None:
        state = runner.message_hub.get_info(RNG_STATE_KEY)
        if state is not None:
            restore_rng_state(state)
            runner.logger.info('RNGStateHook: restored the random state of the checkpoint')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['message_hub']['runtime_info'][RNG_STATE_KEY] = capture_rng_state()

    def before_val_epoch(self, runner) -> None:
        self._state_before_val = capture_rng_state()

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if self._state_before_val is not None:
            restore_rng_state(self._state_before_val)
            self._state_before_val = None
