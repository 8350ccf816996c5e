"""Carry the random-generator state through checkpoints so resumed runs are exact."""
import random
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import Hook

from posetools.registry import HOOKS

RNG_STATE_KEY = 'rng_state'
RANK_RNG_STATES_KEY = 'rng_state_of_ranks'


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

    Data-loader workers are seeded anew whenever they start (by
    ``ResumableEpochBasedTrainLoop``, with seeds that depend on the epoch), so exact
    resumes need ``persistent_workers=False`` (or ``num_workers=0``).

    In distributed training every rank draws its own numbers (for its own samples), and
    only rank 0 writes checkpoints: at the end of each epoch, and after the iterations a
    checkpoint hook saves inside an epoch (its ``saves_inside_epoch``, see
    ``AtomicCheckpointHook``), the states of all ranks are gathered to it, and each rank
    gets its own back on resume.
    """

    def __init__(self) -> None:
        self._state_before_val: Optional[Dict] = None
        self._rank_states: Optional[List[Dict]] = None
        self._rank_states_iter: Optional[int] = None

    def before_train(self, runner) -> None:
        state = runner.message_hub.get_info(RNG_STATE_KEY)
        rank_states = runner.message_hub.get_info(RANK_RNG_STATES_KEY)
        rank, world_size = get_dist_info()
        if rank_states is not None and len(rank_states) == world_size:
            restore_rng_state(rank_states[rank])
            runner.logger.info('RNGStateHook: restored the random state of every rank')
        elif state is not None:
            restore_rng_state(state)
            runner.logger.info('RNGStateHook: restored the random state of the checkpoint')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if get_dist_info()[1] > 1 and any(
                hook.saves_inside_epoch(runner, batch_idx) for hook in runner.hooks
                if hasattr(hook, 'saves_inside_epoch')):
            self._gather_rank_states(runner)

    def after_train_epoch(self, runner) -> None:
        if get_dist_info()[1] > 1:
            self._gather_rank_states(runner)

    def _gather_rank_states(self, runner) -> None:
        """Collect every rank's state for a checkpoint saved at this iteration (a collective:
        every rank takes part)."""
        self._rank_states = all_gather_object(capture_rng_state())
        self._rank_states_iter = runner.iter

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        runtime_info = checkpoint['message_hub']['runtime_info']
        runtime_info[RNG_STATE_KEY] = capture_rng_state()
        if self._rank_states is not None and self._rank_states_iter == runner.iter:
            runtime_info[RANK_RNG_STATES_KEY] = self._rank_states

    def before_val_epoch(self, runner) -> None:
        self._state_before_val = capture_rng_state()

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        if self._state_before_val is not None:
            restore_rng_state(self._state_before_val)
            self._state_before_val = None
