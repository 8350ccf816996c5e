"""A test-only hook that saves every rank's final weights, to compare ranks after DDP."""
from pathlib import Path

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SaveRankWeightsHook(Hook):
    """After training, write ``<work_dir>/rank<R>_weights.pth`` on every rank."""

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        torch.save(model.state_dict(), Path(runner.work_dir) / f'rank{get_rank()}_weights.pth')
