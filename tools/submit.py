"""Submit a training to Slurm with submitit; it requeues itself at its time limit or when
preempted and continues from its last checkpoint.

    python tools/submit.py CONFIG --partition P --nodes 2 --gpus-per-node 8 --timeout 1440 \\
        [--job-dir DIR] [tools/train.py options]

Checkpoints and logs go to the work dir (``--work-dir``, else ``--job-dir``, else
``work_dirs/<config name>``); submitit's files go next to them, to
``<job dir>/submitit/<submission time>/`` (one folder per submission: Slurm job ids are
not unique across cluster restarts).
"""
import argparse
import os.path as osp
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional, Tuple

import submitit

from posetools.engine.launch import default_work_dir
from posetools.engine.submitit_train import SubmititTrainJob

TRAIN_SCRIPT = Path(__file__).resolve().with_name('train.py')


def parse_args(argv: Optional[List[str]] = None) -> Tuple[argparse.Namespace, List[str]]:
    """This tool's options and the ``tools/train.py`` options that pass through."""
    parser = argparse.ArgumentParser(
        description='Submit a posetools training to Slurm (submitit); other options go to '
        'tools/train.py', allow_abbrev=False)
    parser.add_argument('config', help='config file path')
    parser.add_argument('--partition', required=True, help='Slurm partition')
    parser.add_argument('--nodes', type=int, default=1, help='number of nodes')
    parser.add_argument('--gpus-per-node', type=int, default=8,
                        help='tasks per node, one per GPU (on nodes without GPUs: CPU processes)')
    parser.add_argument('--cpus-per-task', type=int, default=5, help='CPUs per task')
    parser.add_argument('--mem-gb', type=int, help='memory per node (default: the partition\'s)')
    parser.add_argument('--timeout', type=int, required=True, metavar='MIN',
                        help='time limit of one attempt in minutes; the job requeues itself '
                        'before it and continues from its last checkpoint')
    parser.add_argument('--max-requeues', type=int, default=20,
                        help='how many time-outs the job may continue after')
    parser.add_argument('--job-dir', help='work dir and submitit logs '
                        '(default: --work-dir, else work_dirs/<config name>)')
    parser.add_argument('--job-name', help='Slurm job name (default: the config name)')
    parser.add_argument('--work-dir', help='where checkpoints go (default: the job dir)')
    parser.add_argument('--resume', nargs='?', const='auto', metavar='auto|PATH',
                        help='start from PATH, or the latest checkpoint in the work dir')
    args, train_args = parser.parse_known_args(argv)
    for value, name in ((args.nodes, '--nodes'), (args.gpus_per_node, '--gpus-per-node'),
                        (args.cpus_per_task, '--cpus-per-task'), (args.timeout, '--timeout')):
        if value < 1:
            parser.error(f'{name} must be at least 1, got {value}')
    if any(arg.split('=')[0] in ('--launcher', '--local-rank', '--local_rank')
           for arg in train_args):
        parser.error('--launcher and --local-rank are set by submit.py (one Slurm task per GPU)')
    return args, train_args


def partition_gres(partition: str) -> str:
    """The generic resources (``gpu:8``, ``(null)``) of ``partition``'s first node."""
    if shutil.which('sbatch') is None:
        sys.exit('submit.py: sbatch not found: run this on a Slurm login node '
                 '(or start a local one: bash tools/slurm/start_local_slurm.sh)')
    sinfo = subprocess.run(['sinfo', '-h', '-p', partition, '-o', '%G'], capture_output=True,
                           text=True, timeout=60)
    if sinfo.returncode != 0:
        sys.exit(f'submit.py: sinfo failed, is Slurm up? {sinfo.stderr.strip()}')
    gres = sinfo.stdout.split()
    if not gres:
        sys.exit(f'submit.py: partition {partition!r} not found (see sinfo)')
    return gres[0]


def main(argv: Optional[List[str]] = None) -> None:
    """Submit the training and print where its outputs go."""
    args, train_args = parse_args(argv)
    job_dir = Path(args.job_dir or args.work_dir or default_work_dir(args.config)).resolve()
    work_dir = Path(args.work_dir).resolve() if args.work_dir else job_dir
    if not osp.isfile(args.config):
        sys.exit(f'submit.py: {args.config}: no such config file')
    if args.resume not in (None, 'auto') and not osp.isfile(args.resume):
        sys.exit(f'submit.py: --resume {args.resume}: no such checkpoint')

    executor = submitit.AutoExecutor(
        folder=job_dir / 'submitit' / time.strftime('%Y%m%d_%H%M%S'), cluster='slurm',
        slurm_max_num_timeout=args.max_requeues)
    resources = dict(nodes=args.nodes, tasks_per_node=args.gpus_per_node,
                     cpus_per_task=args.cpus_per_task)
    # Ask for GPUs only where the nodes have them: --gpus-per-node on a node without GPU gres
    # is rejected or never scheduled. Without GPUs the tasks train on the CPU with gloo.
    gres = partition_gres(args.partition)
    if 'gpu' in gres:
        resources['gpus_per_node'] = args.gpus_per_node
    else:
        print(f'submit.py: partition {args.partition} has no GPU gres ({gres}): '
              f'{args.gpus_per_node} CPU task(s) per node (gloo)')
    if args.mem_gb is not None:
        resources['mem_gb'] = args.mem_gb
    executor.update_parameters(
        name=args.job_name or Path(args.config).stem, timeout_min=args.timeout,
        slurm_partition=args.partition, **resources)
    job = executor.submit(SubmititTrainJob(
        str(TRAIN_SCRIPT), args.config, str(work_dir), train_args, resume=args.resume))
    print(f'Submitted job {job.job_id}: {args.nodes} node(s) x {args.gpus_per_node} task(s) '
          f'on partition {args.partition}\n'
          f'  work dir:      {work_dir}\n'
          f'  submitit logs: {job.paths.folder}')


if __name__ == '__main__':
    main()
