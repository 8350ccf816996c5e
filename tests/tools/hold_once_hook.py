"""A test-only hook that holds rank 0 once mid-training, so that a test can interrupt it there."""
import time
from pathlib import Path

from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class HoldOnceHook(Hook):
    """After training iteration ``at_iter`` (1-based) rank 0 writes ``<work_dir>/held`` and
    sleeps ``seconds``; only the first time (the marker stays for a resumed run)."""

    priority = 'LOWEST'

    def __init__(self, at_iter: int, seconds: float = 60.) -> None:
        self.at_iter = at_iter
        self.seconds = seconds

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        marker = Path(runner.work_dir) / 'held'
        if runner.iter + 1 != self.at_iter or get_rank() != 0 or marker.exists():
            return
        marker.touch()
        time.sleep(self.seconds)
