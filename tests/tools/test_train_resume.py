"""`tools/train.py --resume` continues exactly where a killed run stopped."""
import os
import random
import shutil
import signal
from pathlib import Path

import pytest
import torch

import posetools  # noqa: F401  (allow-lists mmengine's checkpoint contents)
from tests.helpers import REPO_ROOT, run_tool
from tests.tools.kill_hook import KILL_AT_ITER

# the NTU recipe plus a hook that kills the process at iteration $KILL_AT_ITER
KILLABLE_CONFIG = f"""
_base_ = ['{REPO_ROOT / 'configs/skeleton_transformer/stt_ntu60_xsub.py'}']
custom_imports = dict(imports=['tests.tools.kill_hook'], allow_failed_imports=False)
custom_hooks = [dict(type='RNGStateHook'), dict(type='KillAtIterHook')]
"""
EPOCHS, ITERS_PER_EPOCH = 3, 6  # 6 training samples at batch size 1


def tiny_run_options(ann_file: Path, batch_size: int, train_workers: int = 0) -> list:
    """Shrink the NTU recipe to a seconds-long CPU run that still uses dropout and drop path
    (and random frame sampling, in ``train_workers`` data-loader workers)."""
    options = [f'{name}.dataset.ann_file={ann_file}' for name in
               ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    for name, workers in dict(train_dataloader=train_workers, val_dataloader=0).items():
        loader = dict(num_workers=workers, persistent_workers=False, batch_size=batch_size)
        options += [f'{name}.{key}={value}' for key, value in loader.items()]
    options += [
        'model.backbone.num_frames=16', 'model.backbone.embed_dims=16', 'model.backbone.depth=2',
        'model.backbone.num_heads=2', 'model.backbone.drop_rate=0.2',
        'model.backbone.drop_path_rate=0.3', 'model.cls_head.in_channels=16',
        'model.cls_head.num_classes=4', 'train_dataloader.dataset.num_classes=4',
        'val_dataloader.dataset.num_classes=4', 'train_cfg.val_interval=1',
        # the dataloaders hold copies of the pipelines: override them there
        'train_dataloader.dataset.pipeline.2.clip_len=16',
        'val_dataloader.dataset.pipeline.2.clip_len=16',
    ]
    return options


def train(config: Path, work_dir: Path, ann_file: Path, *extra: str, kill_at: int = -1):
    """Train ``EPOCHS`` tiny epochs, with 2 data-loader workers (seeded per epoch); the
    process kills itself before iteration ``kill_at``."""
    options = tiny_run_options(ann_file, batch_size=1, train_workers=2) + [
        f'train_cfg.max_epochs={EPOCHS}']
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), **{KILL_AT_ITER: str(kill_at)})
    proc = run_tool(['tools/train.py', config, '--work-dir', work_dir, '--seed', '7',
                     '--deterministic', *extra, '--cfg-options', *options],
                    env=env, expect_ok=kill_at < 0)
    if kill_at >= 0:
        assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    return proc


def final_weights(work_dir: Path, epoch: int = EPOCHS) -> dict:
    checkpoint = torch.load(work_dir / f'epoch_{epoch}.pth', map_location='cpu', weights_only=True)
    return checkpoint['state_dict']


@pytest.fixture(scope='module')
def killable_config(tmp_path_factory) -> Path:
    config = tmp_path_factory.mktemp('config') / 'killable_stt.py'
    config.write_text(KILLABLE_CONFIG)
    return config


@pytest.fixture(scope='module')
def uninterrupted(killable_config, skeleton3d_pkl, tmp_path_factory) -> Path:
    """The work dir of a run that was not interrupted, with epoch checkpoints only."""
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    train(killable_config, work_dir, skeleton3d_pkl)
    return work_dir


def test_sigkill_at_random_iterations_then_resume_matches_uninterrupted_run(
        tmp_path, killable_config, skeleton3d_pkl, uninterrupted):
    # checkpoints after every iteration: a kill before iteration k resumes from iteration k;
    # the first kill lands inside an epoch, the second right after an epoch checkpoint
    rng = random.Random()
    first = rng.choice([k for k in range(1, 2 * ITERS_PER_EPOCH) if k % ITERS_PER_EPOCH])
    second = rng.choice([k for k in range(first + 1, EPOCHS * ITERS_PER_EPOCH)
                         if k % ITERS_PER_EPOCH == 0])
    kills = f'killed before iterations {first} and {second}'
    interval = ['--checkpoint-interval-iters', '1']
    pointer = tmp_path / 'last_checkpoint'

    # as a requeued job would, every run asks to resume: the first finds nothing yet
    proc = train(killable_config, tmp_path, skeleton3d_pkl, *interval, '--resume', kill_at=first)
    assert f'--resume: no checkpoint in {tmp_path} yet, starting from scratch' in proc.stdout
    assert Path(pointer.read_text()).name == f'iter_{first}.pth', kills
    proc = train(killable_config, tmp_path, skeleton3d_pkl, *interval, '--resume',
                 kill_at=second)
    epoch, batch = divmod(first, ITERS_PER_EPOCH)
    assert f'Resuming epoch {epoch + 1} at batch {batch + 1} of {ITERS_PER_EPOCH}' in proc.stdout
    assert Path(pointer.read_text()).name == f'epoch_{second // ITERS_PER_EPOCH}.pth', kills
    train(killable_config, tmp_path, skeleton3d_pkl, *interval, '--resume')

    expected, resumed = final_weights(uninterrupted), final_weights(tmp_path)
    assert expected.keys() == resumed.keys()
    for key in expected:
        assert torch.equal(expected[key], resumed[key]), f'{key}, {kills}'
    epoch1 = final_weights(tmp_path, 1)  # the runs did train
    assert any(not torch.equal(epoch1[key], resumed[key]) for key in resumed)
    leftovers = [path.name for path in tmp_path.iterdir()
                 if path.name.startswith('iter_') or path.suffix == '.tmp']
    assert not leftovers, kills


def test_corrupt_latest_checkpoint_fails_naming_it(tmp_path, killable_config, skeleton3d_pkl,
                                                   uninterrupted):
    shutil.copy(uninterrupted / 'epoch_2.pth', tmp_path)
    latest = tmp_path / 'epoch_3.pth'
    data = (uninterrupted / 'epoch_3.pth').read_bytes()
    latest.write_bytes(data[:len(data) // 2])  # what a kill mid-write without atomicity leaves
    (tmp_path / 'last_checkpoint').write_text(str(latest))
    proc = run_tool(['tools/train.py', killable_config, '--work-dir', tmp_path, '--resume',
                     '--cfg-options', *tiny_run_options(skeleton3d_pkl, batch_size=1)],
                    env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)), expect_ok=False)
    assert proc.returncode != 0
    assert f'{latest} is truncated or corrupt' in proc.stderr
    # nothing started from scratch next to the good checkpoint
    assert sorted(path.name for path in tmp_path.glob('*.pth')) == ['epoch_2.pth', 'epoch_3.pth']
