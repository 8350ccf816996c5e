"""The Slurm launchers on a real one-node Slurm (tools/slurm/start_local_slurm.sh):
`tools/slurm_train.sh` trains one model with 2 CPU tasks, `tools/submit.py` survives a
requeue mid-training with the same final weights, `tools/slurm_test.sh` tests the result."""
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import mmengine
import pytest
import torch

import posetools  # noqa: F401  (allow-lists mmengine's checkpoint contents)
from tests.helpers import REPO_ROOT, write_skeleton_pkl

# stt_synth.py shrunk to seconds: 9 training samples on 2 ranks at batch 2 are 3 iterations
# an epoch; 3 test samples at batch 1 are 2 iterations on each rank.
TINY_CONFIG = """
_base_ = ['{repo}/configs/skeleton_transformer/stt_synth.py']
custom_imports = dict(
    imports=['tests.tools.rank_weights_hook', 'tests.tools.hold_once_hook'],
    allow_failed_imports=False)
custom_hooks = [dict(type='RNGStateHook'), dict(type='SaveRankWeightsHook'){extra_hooks}]
model = dict(backbone=dict(embed_dims=16, depth=1, num_heads=2),
             cls_head=dict(num_classes=4, in_channels=16))
dataset = dict(ann_file='{ann}', num_classes=4)
train_dataloader = dict(batch_size=2, dataset=dataset)
val_dataloader = dict(batch_size=2, dataset=dataset)
test_dataloader = dict(batch_size=1, dataset=dataset)
train_cfg = dict(max_epochs=3, val_interval=3)
default_hooks = dict(logger=dict(interval=1))
"""
MAX_EPOCHS, ITERS_PER_EPOCH = 3, 3
HOLD_AT_ITER = 5  # epoch 2, iteration 2: the interrupted run resumes from epoch_1.pth
TRAIN_ARGS = ['--seed', '5', '--deterministic']
# 2 tasks of 1 CPU each; 1 torch thread per task on this 2-core node
SLURM_ENV = dict(GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='1', OMP_NUM_THREADS='1',
                 PYTHON=sys.executable)
FINAL_STATES = ('COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY',
                'BOOT_FAIL', 'DEADLINE', 'PREEMPTED')


def write_config(path: Path, ann_file: Path, extra_hooks: str = '') -> Path:
    path.write_text(TINY_CONFIG.format(repo=REPO_ROOT, ann=ann_file, extra_hooks=extra_hooks))
    return path


def run_script(args: list, timeout: int) -> subprocess.CompletedProcess:
    """Run a bash tool with the 2-task environment; fail the test with its output if it fails."""
    proc = subprocess.run(['bash', *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ, **SLURM_ENV))
    assert proc.returncode == 0, f'{args} exited {proc.returncode}\n--- stdout\n' \
        f'{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-6000:]}'
    return proc


def job_info(job_id: str) -> dict:
    """``scontrol show job`` as a dict (JobState, Restarts, ...)."""
    out = subprocess.run(['scontrol', '-o', 'show', 'job', job_id], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return dict(field.split('=', 1) for field in out.split() if '=' in field)


def wait_until(condition, timeout: float, what: str, logs: Path = None) -> None:
    """Poll ``condition()`` every half second; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tails = ''.join(f'\n--- {log.name}\n{log.read_text()[-3000:]}'
                            for log in sorted(logs.glob('*.out')) + sorted(logs.glob('*.err'))
                            ) if logs else ''
            pytest.fail(f'timed out after {timeout} s waiting for {what}{tails}')
        time.sleep(0.5)


def final_weights(work_dir: Path) -> dict:
    checkpoint = torch.load(work_dir / f'epoch_{MAX_EPOCHS}.pth', map_location='cpu',
                            weights_only=True)
    return checkpoint['state_dict']


def assert_same_weights(first: dict, second: dict) -> None:
    assert first.keys() == second.keys()
    for key in first:
        assert torch.equal(first[key], second[key]), key


@pytest.fixture(scope='module')
def ann_file(tmp_path_factory) -> Path:
    """12 samples: 9 for training, 3 for validation and testing."""
    return write_skeleton_pkl(tmp_path_factory.mktemp('slurm_ann') / 'ntu3d.pkl', num_samples=12)


@pytest.fixture(scope='module')
def srun_trained(local_slurm, ann_file, tmp_path_factory) -> tuple:
    """A 2-task training through tools/slurm_train.sh: (config, work dir, srun's output)."""
    root = tmp_path_factory.mktemp('slurm_train')
    config = write_config(root / 'tiny.py', ann_file)
    proc = run_script(['tools/slurm_train.sh', local_slurm, 'pt-srun-train', config,
                       '--work-dir', root / 'wd', *TRAIN_ARGS], timeout=180)
    return config, root / 'wd', proc.stdout + proc.stderr


def test_slurm_train_two_tasks_train_one_model(srun_trained):
    _, work_dir, output = srun_trained
    assert 'no GPU gres' in output  # the CPU node got no --gres=gpu request
    assert_same_weights(torch.load(work_dir / 'rank0_weights.pth', weights_only=True),
                        torch.load(work_dir / 'rank1_weights.pth', weights_only=True))
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'Distributed launcher: slurm' in log
    for text in (log, output):  # the loss is logged by rank 0 only, once per iteration
        for epoch in range(1, MAX_EPOCHS + 1):
            for it in range(1, ITERS_PER_EPOCH + 1):
                assert text.count(f'Epoch(train) [{epoch}][{it}/{ITERS_PER_EPOCH}]') == 1
    losses = re.findall(r'Epoch\(train\) .*? loss: ([\d.]+)', log)
    assert len(losses) == MAX_EPOCHS * ITERS_PER_EPOCH


def test_submit_requeued_job_resumes_to_same_weights(local_slurm, srun_trained, ann_file,
                                                     tmp_path):
    config = write_config(tmp_path / 'tiny_held.py', ann_file,
                          f", dict(type='HoldOnceHook', at_iter={HOLD_AT_ITER})")
    job_dir = tmp_path / 'job'
    proc = subprocess.run(
        [sys.executable, 'tools/submit.py', config, '--partition', local_slurm, '--nodes', '1',
         '--gpus-per-node', '2', '--cpus-per-task', '1', '--timeout', '10',
         '--job-dir', job_dir, *TRAIN_ARGS], cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=60, env=dict(os.environ, **SLURM_ENV))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    job_id = re.search(r'Submitted job (\S+):', proc.stdout).group(1)
    logs = Path(re.search(r'submitit logs: (\S+)', proc.stdout).group(1))
    assert logs.parent == job_dir / 'submitit'  # submitit's files next to the checkpoints
    try:
        # the first attempt holds mid-epoch 2 after epoch_1.pth; interrupt it there as
        # Slurm does before a time limit (submitit asks for --signal=USR2@90)
        wait_until((job_dir / 'held').exists, 120, 'the first attempt to reach iteration '
                   f'{HOLD_AT_ITER}', logs)
        assert (job_dir / 'epoch_1.pth').is_file() and not (job_dir / 'epoch_2.pth').exists()
        subprocess.run(['scancel', '--signal=USR2', job_id], check=True, timeout=30)
        wait_until(lambda: job_info(job_id)['JobState'] in FINAL_STATES, 150,
                   f'job {job_id} to finish after its requeue', logs)
    finally:
        subprocess.run(['scancel', job_id], timeout=30)
    info = job_info(job_id)
    assert info['JobState'] == 'COMPLETED', (info, sorted(logs.iterdir()))
    assert info['Restarts'] == '1'

    run_logs = sorted(job_dir.glob('2*/2*.log'))
    assert len(run_logs) == 2, run_logs  # the interrupted attempt and the resumed one
    assert 'resumed epoch: 1, iter: 3' in run_logs[1].read_text()
    assert f'Epoch(train) [{MAX_EPOCHS}]' not in run_logs[0].read_text()
    # the same model as the uninterrupted srun training, on both ranks
    _, srun_work_dir, _ = srun_trained
    assert_same_weights(final_weights(srun_work_dir), final_weights(job_dir))
    assert_same_weights(torch.load(job_dir / 'rank0_weights.pth', weights_only=True),
                        torch.load(job_dir / 'rank1_weights.pth', weights_only=True))


def test_slurm_test_two_tasks(local_slurm, srun_trained, ann_file, tmp_path):
    config, work_dir, _ = srun_trained
    dump = tmp_path / 'predictions.pkl'
    proc = run_script(['tools/slurm_test.sh', local_slurm, 'pt-srun-test', config,
                       work_dir / f'epoch_{MAX_EPOCHS}.pth', '--work-dir', tmp_path / 'wd',
                       '--dump', dump], timeout=180)
    # 3 test samples on 2 ranks: 2 iterations each, every sample predicted once
    assert 'Epoch(test) [2/2]' in proc.stdout
    with open(dump, 'rb') as file:
        predictions = pickle.load(file)
    annotations = mmengine.load(ann_file)
    val_labels = [ann['label'] for ann in annotations['annotations']
                  if ann['frame_dir'] in annotations['split']['xsub_val']]
    assert [int(pred['gt_label']) for pred in predictions] == val_labels
    top1 = sum(int(pred['pred_label']) == int(pred['gt_label'])
               for pred in predictions) / len(predictions)
    metric_lines = re.findall(r'^acc/top1: ([\d.]+)', proc.stdout, re.MULTILINE)
    assert len(metric_lines) == 1  # printed by rank 0 only
    assert float(metric_lines[0]) == pytest.approx(top1, abs=1e-4)


@pytest.mark.parametrize('env, message', [
    (dict(GPUS='3', GPUS_PER_NODE='2', CPUS_PER_TASK='1'), 'GPUS=3 is not a multiple of'),
    (dict(GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='64'), 'CPUS_PER_TASK=64 need 128 CPUs'),
    (dict(GPUS='two'), 'GPUS=two must be a positive integer'),
])
def test_slurm_train_refuses_impossible_requests(local_slurm, env, message):
    proc = subprocess.run(['bash', 'tools/slurm_train.sh', local_slurm, 'pt-bad', 'cfg.py'],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, **env))
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_slurm_train_names_a_missing_partition(local_slurm):
    proc = subprocess.run(['bash', 'tools/slurm_train.sh', 'no-such-partition', 'pt-bad',
                           'cfg.py'], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert f"partition 'no-such-partition' not found (sinfo lists: {local_slurm}*" in proc.stderr
