"""An epoch-based training loop that resumes exactly from checkpoints saved inside an epoch."""
import torch
from mmengine.runner import EpochBasedTrainLoop

from posetools.engine.rng_state_hook import capture_rng_state, restore_rng_state
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
    Arguments are those of ``EpochBasedTrainLoop``.
    """

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
