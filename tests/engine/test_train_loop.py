"""ResumableEpochBasedTrainLoop resumes exactly from a checkpoint saved inside an epoch."""
import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

from tests.engine.toy_runner import Crash, toy_runner, weights

# 8 samples at batch 2: 4 iterations per epoch; checkpoints inside epochs every 2 iterations
# (iteration 4 is an epoch end: epoch_1.pth), so a crash before iteration 7 (0-based)
# resumes from iter_6.pth, half-way through epoch 2
MID_EPOCH = dict(type='AtomicCheckpointHook', interval=1, interval_iters=2)


@pytest.mark.parametrize('num_workers', [0, 2])
def test_resume_inside_an_epoch_matches_uninterrupted_run(tmp_path, num_workers):
    reference = toy_runner(tmp_path / 'reference', num_workers=num_workers)
    reference.train()

    with pytest.raises(Crash):
        toy_runner(tmp_path / 'run', num_workers=num_workers, checkpoint=MID_EPOCH,
                   crash_at=7).train()
    pointer = (tmp_path / 'run' / 'last_checkpoint').read_text()
    assert pointer == str(tmp_path / 'run' / 'iter_6.pth')
    meta = _load_checkpoint(pointer)['meta']
    assert (meta['epoch'], meta['iter']) == (1, 6)  # 1 epoch done, 6 iterations

    resumed = toy_runner(tmp_path / 'run', num_workers=num_workers, checkpoint=MID_EPOCH,
                         resume=True)
    resumed.train()
    assert resumed.iter == reference.iter == 8
    expected, actual = weights(reference), weights(resumed)
    for key in expected:
        assert torch.equal(expected[key], actual[key]), key


def test_mmengine_loop_repeats_the_trained_batches(tmp_path):
    """Why the loop exists: mmengine's loop restarts the epoch of a mid-epoch checkpoint."""
    with pytest.raises(Crash):
        toy_runner(tmp_path, checkpoint=MID_EPOCH, crash_at=7).train()
    resumed = toy_runner(tmp_path, checkpoint=dict(type='AtomicCheckpointHook', interval=1),
                         loop='EpochBasedTrainLoop', resume=True)
    resumed.train()
    assert resumed.iter == 10  # 2 batches of epoch 2 trained twice


def test_resume_inside_an_epoch_with_other_batches_per_epoch_is_refused(tmp_path):
    with pytest.raises(Crash):
        toy_runner(tmp_path, checkpoint=MID_EPOCH, crash_at=7).train()
    with pytest.raises(ValueError, match='saved with 4 batches per epoch, this run has 2'):
        toy_runner(tmp_path, batch_size=4, checkpoint=MID_EPOCH, resume=True).train()
