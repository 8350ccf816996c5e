"""An epoch-based training loop that resumes exactly from checkpoints saved inside an epoch."""
from typing import Dict, Union

import torch
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from posetools.engine.rng_state_hook import capture_rng_state, restore_rng_state
from posetools.engine.worker_seeding import install_epoch_worker_init
from posetools.registry import LOOPS

EPOCH_LENGTH_KEY = 'train_batches_per_epoch'


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` that can resume in the middle of an epoch.

    mmengine 0.10.7's ``Runner.resume`` restores ``epoch`` and ``iter`` and the loop then
    runs the resumed epoch from its first batch, so resuming from a checkpoint saved
    inside an epoch (``AtomicCheckpointHook(interval_iters=...)``) would train the
    batches before it a second time. This loop skips them: they are fetched and
    dropped, not trained, so data-loader workers draw the same augmentations as the
    uninterrupted run, and the main process's random state (restored from the
    checkpoint by ``RNGStateHook``) is put back afterwards. Skipping costs the data
    time of the skipped batches.

    The number of batches per epoch travels in the checkpoints; resuming inside an
    epoch with a different number (batch size, dataset, world size) is refused.

    Data-loader workers get seeds that depend on the epoch: mmengine's default
    ``worker_init_fn`` seeds them alike in every epoch, and they restart every epoch with
    ``persistent_workers=False``, so they drew the same augmentations every epoch. The loop
    replaces it by :class:`~posetools.engine.worker_seeding.EpochWorkerInit` and sets its
    epoch before each epoch; a ``worker_init_fn`` set in the config is kept.

    Mirrors mmengine 0.10.7 (pinned by ``tests/engine/test_mmengine_mirrors.py``):

    - the skipping branch of :meth:`run_epoch` copies ``EpochBasedTrainLoop.run_epoch``
      (``mmengine/runner/loops.py``, lines 110-118: ``before_train_epoch``,
      ``model.train()``, ``run_iter`` per batch, ``after_train_epoch``, ``_epoch += 1``);
    - :meth:`run` relies on ``EpochBasedTrainLoop.run`` (lines 93-108) calling the
      ``before_train`` hooks, then :meth:`run_epoch` once per epoch, and on
      ``Runner.resume`` (``mmengine/runner/runner.py``, lines 2022-2023) setting ``_epoch``
      and ``_iter`` from the checkpoint's meta.

    Arguments are those of ``EpochBasedTrainLoop``.
    """

    def __init__(self, runner, dataloader: Union[DataLoader, Dict], **kwargs) -> None:
        super().__init__(runner, dataloader, **kwargs)
        self._worker_init = install_epoch_worker_init(self.dataloader)

    def run(self) -> torch.nn.Module:
        """Work out how far into its epoch a resumed run is, then train."""
        saved_length = self.runner.message_hub.get_info(EPOCH_LENGTH_KEY)
        length = len(self.dataloader)
        self.runner.message_hub.update_info(EPOCH_LENGTH_KEY, length)
        self._batches_to_skip = 0
        if saved_length is not None:
            self._batches_to_skip = self._iter - self._epoch * saved_length
            if not 0 <= self._batches_to_skip < saved_length:
                raise ValueError(
                    f'checkpoint at epoch {self._epoch}, iteration {self._iter} is inconsistent '
                    f'with its {saved_length} batches per epoch')
            if self._batches_to_skip and saved_length != length:
                raise ValueError(
                    f'cannot resume inside epoch {self._epoch + 1}: the checkpoint was saved with '
                    f'{saved_length} batches per epoch, this run has {length} (changed batch '
                    'size, dataset or number of processes?); resume from an epoch checkpoint')
        return super().run()

    def run_epoch(self) -> None:
        """Iterate one epoch, skipping the batches a resumed checkpoint already trained."""
        if self._worker_init is not None:  # before this epoch's workers start
            self._worker_init.epoch = self._epoch
        if not self._batches_to_skip:
            super().run_epoch()
            return
        skip, self._batches_to_skip = self._batches_to_skip, 0
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        state = capture_rng_state()
        batches = iter(self.dataloader)
        for _ in range(skip):
            next(batches)
        restore_rng_state(state)
        self.runner.logger.info(
            f'Resuming epoch {self._epoch + 1} at batch {skip + 1} of {len(self.dataloader)} '
            f'({skip} batches skipped, not trained)')
        for idx, data_batch in enumerate(batches, start=skip):
            self.run_iter(idx, data_batch)
        self.runner.call_hook('after_train_epoch')
        self._epoch += 1
