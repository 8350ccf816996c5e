"""A test-only hook: SIGKILL the training process before iteration $KILL_AT_ITER (0-based)."""
import os
import signal

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

KILL_AT_ITER = 'KILL_AT_ITER'


@HOOKS.register_module()
class KillAtIterHook(Hook):
    """Kill the process, as a node failure or ``scancel -s KILL`` would, when
    ``runner.iter`` reaches ``$KILL_AT_ITER``; no-op without the variable."""

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if runner.iter == int(os.environ.get(KILL_AT_ITER, -1)):
            os.kill(os.getpid(), signal.SIGKILL)
