"""What train.py and test.py print reads top to bottom: no upstream noise, no CUDA-only lines
on a CPU, the config and the hook table in the log file only (once per run)."""
import importlib
import re
from pathlib import Path

import pytest
import torch
from mmengine.registry import Registry

import posetools  # noqa: F401  (defines the posetools registries)
from tests.helpers import REPO_ROOT, run_tool

# The mmengine modules through which the Runner builds its parts, and their registries.
RUNNER_BUILD_MODULES = ('mmengine.runner.runner', 'mmengine.evaluator.evaluator',
                        'mmengine.optim.optimizer.builder', 'mmengine.visualization.visualizer',
                        'mmengine.model.weight_init', 'mmengine.dataset.base_dataset')

TINY_CONFIG = """
_base_ = ['{repo}/configs/skeleton_transformer/stt_synth.py']
model = dict(backbone=dict(embed_dims=16, depth=1, num_heads=2),
             cls_head=dict(num_classes=4, in_channels=16))
dataset = dict(ann_file='{ann}', num_classes=4)
train_dataloader = dict(batch_size=2, dataset=dataset)
val_dataloader = dict(batch_size=2, dataset=dataset)
test_dataloader = dict(batch_size=2, dataset=dataset)
train_cfg = dict(max_epochs=1, val_interval=1)
"""
# Lines that ask nothing of the user, each once seen in every run
NOISE = ('Failed to search registry', 'MultiScaleDeformableAttention',
         '"FileClient" will be deprecated', '"HardDiskBackend" is the alias',
         'paramwise_options', 'Hooks will be executed', ' - INFO - Config:', 'SyncBatchNorm')


def registries_the_runner_builds_from() -> list:
    registries = {}
    for name in RUNNER_BUILD_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, Registry):
                registries[value.name] = value
    return list(registries.values())


@pytest.mark.parametrize('registry', registries_the_runner_builds_from(),
                         ids=lambda registry: registry.name)
def test_every_runner_registry_has_a_posetools_child(registry):
    with registry.switch_scope_and_registry('posetools') as found:
        assert found.scope == 'posetools'


def log_file_named_in(console: str) -> Path:
    match = re.search(r'^Full environment, config, hook order and per-parameter optimizer '
                      r'settings: (\S+\.log)$', console, re.MULTILINE)
    assert match, console
    return Path(match.group(1))


def assert_readable(console: str) -> str:
    """Check one run's console output; return its log file's text."""
    for noise in NOISE:
        assert noise not in console
    assert 'WARNING' not in console and 'Warning' not in console, console
    if not torch.cuda.is_available():
        assert 'Device: cpu' in console
        assert 'GPU number' not in console and 'nccl' not in console
    log = log_file_named_in(console).read_text()
    for once in ('Hooks will be executed', ' - INFO - Config:', 'PyTorch compiling details'):
        assert log.count(once) == 1, once
    return log


def test_train_and_test_logs_read_top_to_bottom(tmp_path, skeleton3d_pkl):
    config = tmp_path / 'tiny.py'
    config.write_text(TINY_CONFIG.format(repo=REPO_ROOT, ann=skeleton3d_pkl))
    work_dir = tmp_path / 'run'
    train = run_tool(['tools/train.py', config, '--work-dir', work_dir, '--seed', '0'])
    log = assert_readable(train.stdout + train.stderr)
    assert 'Epoch(train) [1][3/3]' in log
    test = run_tool(['tools/test.py', config, work_dir / 'epoch_1.pth', '--work-dir', work_dir])
    assert_readable(test.stdout + test.stderr)
    assert test.stdout.strip().splitlines()[-1].startswith('acc/top1: ')
