"""Checkpoints that survive a kill at any moment, optionally also saved inside epochs."""
import os
import os.path as osp
from pathlib import Path
from typing import List, Optional, Union

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook

from posetools.engine.train_loop import ResumableEpochBasedTrainLoop
from posetools.registry import HOOKS

ATOMIC_BACKEND = 'posetools_atomic_local'
MID_EPOCH_KEY = 'mid_epoch_ckpt'


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` whose writes replace a file in one step.

    The data goes to ``<file>.tmp`` in the same directory, is flushed to disk, and is
    renamed over ``<file>`` (``os.replace``, atomic on POSIX); the directory is then
    flushed too. A kill at any moment leaves the old file or the new one, never a part.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        filepath = str(filepath)
        directory = osp.dirname(filepath) or '.'
        os.makedirs(directory, exist_ok=True)
        partial = f'{filepath}.tmp'
        with open(partial, 'wb') as file:
            file.write(obj)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, filepath)
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        """Write the text ``obj`` to ``filepath`` atomically."""
        self.put(obj.encode(encoding), filepath)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` for runs that may be killed at any moment.

    - Checkpoints and the ``last_checkpoint`` pointer are written atomically
      (:class:`AtomicLocalBackend`): a kill leaves the previous complete file.
    - ``max_keep_ckpts`` removes outdated checkpoints only once the new checkpoint and
      the pointer are complete (mmengine removes them first), and never the one the
      pointer names.
    - ``interval_iters`` also saves ``iter_{n}.pth`` every ``n`` iterations inside
      epochs, for long epochs. Each is removed once a newer checkpoint is complete.
      Resuming from one needs ``train_cfg.type='ResumableEpochBasedTrainLoop'``.

    Mirrors mmengine 0.10.7 (pinned by ``tests/engine/test_mmengine_mirrors.py``):
    :meth:`_save_checkpoint_with_step` and :meth:`_save` copy
    ``CheckpointHook._save_checkpoint_with_step`` (``mmengine/hooks/checkpoint_hook.py``,
    lines 413-461: ``keep_ckpt_ids`` bookkeeping, ``last_ckpt`` in the hook and the message
    hub, the arguments of ``runner.save_checkpoint``, ``last_checkpoint`` written by the
    main process only), with the removal moved after the save and the pointer written
    atomically. They rely on ``CheckpointHook._save_checkpoint`` (lines 463-476) and
    ``_save_best_checkpoint`` (lines 478-579) saving through that method or through
    ``runner.save_checkpoint(backend_args=self.backend_args)``.

    Args:
        interval_iters (int, optional): Save inside epochs every this many iterations
            (epoch-based saving only). Defaults to None (epoch ends only).
        **kwargs: ``CheckpointHook``'s arguments. Checkpoints go to a local directory.
    """

    def __init__(self, interval_iters: Optional[int] = None, **kwargs) -> None:
        if kwargs.get('backend_args') is None and kwargs.get('file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(**kwargs)
        if interval_iters is not None and (not self.by_epoch or interval_iters < 1):
            raise ValueError(f'interval_iters={interval_iters}: needs by_epoch=True and a '
                             'positive number of iterations')
        self.interval_iters = interval_iters

    def before_train(self, runner) -> None:
        """Check that files go to a local directory and that the loop can resume mid-epoch."""
        super().before_train(runner)
        if not isinstance(self.file_backend, AtomicLocalBackend):
            raise ValueError(f'AtomicCheckpointHook writes atomically to local directories only; '
                             f'{self.out_dir} uses {type(self.file_backend).__name__}')
        if self.interval_iters and not isinstance(runner.train_loop,
                                                  ResumableEpochBasedTrainLoop):
            raise ValueError(
                f'interval_iters needs a loop that resumes inside epochs; '
                f'{type(runner.train_loop).__name__} would repeat the trained batches. Set '
                "train_cfg.type='ResumableEpochBasedTrainLoop'")

    def saves_inside_epoch(self, runner, batch_idx: int) -> bool:
        """Whether an iteration checkpoint is saved after this batch: every
        ``interval_iters`` iterations, except at an epoch's last batch."""
        return bool(self.interval_iters) and self.every_n_train_iters(
            runner, self.interval_iters) and not self.end_of_epoch(runner.train_dataloader,
                                                                   batch_idx)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Save an iteration checkpoint if :meth:`saves_inside_epoch`."""
        super().after_train_iter(runner, batch_idx, data_batch, outputs)
        if self.saves_inside_epoch(runner, batch_idx):
            runner.logger.info(f'Saving checkpoint at {runner.iter + 1} iterations')
            self._save(runner, f'iter_{runner.iter + 1}.pth',
                       dict(epoch=runner.epoch, iter=runner.iter + 1), by_epoch=False,
                       mid_epoch=True)

    def _save_checkpoint_with_step(self, runner, step: int, meta: dict) -> None:
        """mmengine's method with the removal of outdated checkpoints moved after the save."""
        outdated = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                outdated.append(self.filename_tmpl.format(self.keep_ckpt_ids.popleft()))
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        self._save(runner, self.filename_tmpl.format(step), meta, self.by_epoch, outdated=outdated)

    def _save(self, runner, filename: str, meta: dict, by_epoch: bool,
              outdated: Optional[List[str]] = None, mid_epoch: bool = False) -> None:
        """Save ``filename``, point ``last_checkpoint`` to it, then remove ``outdated`` files.

        The previous mid-epoch checkpoint is outdated by any newer checkpoint.
        """
        path = self.file_backend.join_path(self.out_dir, filename)
        outdated = [self.file_backend.join_path(self.out_dir, name) for name in outdated or []]
        previous_mid_epoch = runner.message_hub.get_info(MID_EPOCH_KEY)
        if previous_mid_epoch is not None:
            outdated.append(previous_mid_epoch)
        runner.message_hub.update_info(MID_EPOCH_KEY, path if mid_epoch else None)
        self.last_ckpt = path
        runner.message_hub.update_info('last_ckpt', path)
        runner.save_checkpoint(
            self.out_dir, filename, self.file_client_args, save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler, meta=meta, by_epoch=by_epoch,
            backend_args=self.backend_args, **self.args)
        if not is_main_process():
            return
        self.file_backend.put_text(path, osp.join(runner.work_dir, 'last_checkpoint'))
        for old in outdated:
            if old != path and self.file_backend.isfile(old):
                self.file_backend.remove(old)
