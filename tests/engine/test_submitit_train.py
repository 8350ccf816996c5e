"""SubmititTrainJob: the tools/train.py arguments of first and requeued attempts (no Slurm)."""
from pathlib import Path

from submitit.helpers import DelayedSubmission

from posetools.engine.submitit_train import SubmititTrainJob, rendezvous_port
from tests.helpers import run_tool


def test_requeued_job_resumes_from_latest_checkpoint(tmp_path):
    job = SubmititTrainJob('tools/train.py', 'cfg.py', str(tmp_path), ['--seed', '1'],
                           resume='start.pth')
    assert job.train_argv('slurm') == ['cfg.py', '--work-dir', str(tmp_path), '--seed', '1',
                                       '--launcher', 'slurm', '--resume', 'start.pth']
    # no checkpoint of its own yet: a requeued job still starts from the given one
    assert job.checkpoint().function.train_argv('none')[-2:] == ['--resume', 'start.pth']

    (tmp_path / 'epoch_1.pth').touch()
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    resubmitted = job.checkpoint()
    assert isinstance(resubmitted, DelayedSubmission)
    assert resubmitted.function.train_argv('none') == [
        'cfg.py', '--work-dir', str(tmp_path), '--seed', '1', '--launcher', 'none',
        '--resume', 'auto']
    assert job.resume == 'start.pth'  # the submitted job itself is unchanged


def test_fresh_job_has_no_resume(tmp_path):
    job = SubmititTrainJob('tools/train.py', 'cfg.py', str(tmp_path), [])
    assert '--resume' not in job.train_argv('none')
    assert '--resume' not in job.checkpoint().function.train_argv('none')


def test_rendezvous_port_is_shared_by_tasks_and_changes_per_attempt():
    ports = {rendezvous_port('42', restarts) for restarts in range(5)}
    assert len(ports) == 5 and all(20000 <= port < 40000 for port in ports)
    assert rendezvous_port('42', 1) == rendezvous_port('42', 1)


def test_submit_rejects_launcher_options(tmp_path):
    config = Path('configs/skeleton_transformer/stt_synth.py')
    proc = run_tool(['tools/submit.py', config, '--partition', 'p', '--timeout', '5',
                     '--launcher', 'pytorch'], expect_ok=False)
    assert proc.returncode == 2
    assert '--launcher and --local-rank are set by submit.py' in proc.stderr
    proc = run_tool(['tools/submit.py', tmp_path / 'missing.py', '--partition', 'p',
                     '--timeout', '5'], expect_ok=False)
    assert proc.returncode != 0 and 'missing.py: no such config file' in proc.stderr
