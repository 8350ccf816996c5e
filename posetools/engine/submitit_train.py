"""The job of ``tools/submit.py``: ``tools/train.py`` in every task, resumed after a requeue."""
import importlib.util
import os
import zlib
from typing import List, Optional

import submitit
from submitit.helpers import DelayedSubmission

from posetools.engine.launch import latest_checkpoint


def rendezvous_port(job_id: str, restarts: int) -> int:
    """A port in [20000, 40000) that every task of one job attempt derives alike.

    It changes with each requeue, so a restarted job does not wait for the port its
    killed predecessor may still hold.
    """
    return 20000 + zlib.crc32(f'{job_id}/{restarts}'.encode()) % 20000


class SubmititTrainJob:
    """A checkpointable submitit callable that runs ``tools/train.py``'s ``main``.

    When the job has several tasks, each trains with ``--launcher slurm`` on a rendezvous
    port derived from submitit's ``JobEnvironment`` (job id and attempt). When submitit
    signals a time-out or a preemption, :meth:`checkpoint` resubmits the job with
    ``--resume``, so it continues from the last checkpoint in ``work_dir``. A job requeued
    by other means (``scontrol requeue``, a node failure) resumes too: Slurm's
    ``SLURM_RESTART_COUNT`` tells it that it ran before.

    Args:
        train_script (str): Path of ``tools/train.py``.
        config (str): The config file.
        work_dir (str): Where checkpoints go (``--work-dir``).
        train_args (list[str]): Further ``tools/train.py`` options, without ``--launcher``,
            ``--work-dir`` and ``--resume``.
        resume (str, optional): ``None`` to start from scratch, ``'auto'`` for the latest
            checkpoint in ``work_dir``, or a checkpoint path. Defaults to None.
    """

    def __init__(self, train_script: str, config: str, work_dir: str, train_args: List[str],
                 resume: Optional[str] = None) -> None:
        self.train_script = train_script
        self.config = config
        self.work_dir = work_dir
        self.train_args = list(train_args)
        self.resume = resume

    def train_argv(self, launcher: str) -> List[str]:
        """The ``tools/train.py`` arguments of this job."""
        return [self.config, '--work-dir', self.work_dir, *self.train_args,
                '--launcher', launcher, *(['--resume', self.resume] if self.resume else [])]

    def resumed(self) -> 'SubmititTrainJob':
        """This job continuing from the latest checkpoint in ``work_dir``, if there is one yet
        (else unchanged: a ``--resume PATH`` given at submission still applies). Checkpoints
        without a ``last_checkpoint`` pointer raise, as ``tools/train.py --resume`` does,
        instead of starting over next to them."""
        if latest_checkpoint(self.work_dir) is None:
            return self
        return type(self)(self.train_script, self.config, self.work_dir, self.train_args,
                          resume='auto')

    def __call__(self) -> None:
        env = submitit.JobEnvironment()
        restarts = int(os.environ.get('SLURM_RESTART_COUNT', '0'))
        job = self.resumed() if restarts > 0 else self
        launcher = 'none'
        if env.num_tasks > 1:
            launcher = 'slurm'  # the master is the job's first node (Slurm's node list)
            os.environ['MASTER_PORT'] = str(rendezvous_port(env.job_id, restarts))
        spec = importlib.util.spec_from_file_location('posetools_train_tool', self.train_script)
        train_tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(train_tool)
        train_tool.main(job.train_argv(launcher))

    def checkpoint(self) -> DelayedSubmission:
        """Called by submitit (rank 0) on time-out or preemption: the job, resuming."""
        return DelayedSubmission(self.resumed())
