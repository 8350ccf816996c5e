"""Fixtures for the tool tests: SynthAction data generated once per run, and a local one-node
Slurm for tests/tools/test_slurm_*.py."""
import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from tests.helpers import REPO_ROOT, run_tool

SLURM_PARTITION = 'debug'
# POSETOOLS_SKIP_SLURM=1: skip the Slurm tests instead of installing Slurm with apt-get
SKIP_SLURM = 'POSETOOLS_SKIP_SLURM'


@pytest.fixture(scope='session')
def synth_action(tmp_path_factory) -> Path:
    """SynthAction skeletons for the learning tests: 600 clips (480 of them for training),
    seed 1, in ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl``. Shared: tests only read it."""
    data_dir = tmp_path_factory.mktemp('synth_action')
    run_tool(['tools/data/gen_synth.py', '--out-dir', data_dir, '--num-samples', '600',
              '--seed', '1'])
    return data_dir


@pytest.fixture(scope='session')
def synth_videos(tmp_path_factory) -> Path:
    """40 tiny SynthAction videos of 44-48 frames (30 train, 10 val): ``videos/``, the lists
    ``synth_videos_xsub_{train,val}.txt`` and the poses ``synth_videos.pkl``. Shared: tests
    only read it (copy it to change it)."""
    data_dir = tmp_path_factory.mktemp('synth_video')
    run_tool(['tools/data/gen_synth.py', '--out-dir', data_dir, '--num-samples', '40',
              '--min-frames', '44', '--max-frames', '48', '--videos'])
    return data_dir


def start_local_slurm() -> subprocess.CompletedProcess:
    """Run tools/slurm/start_local_slurm.sh and return the finished process.

    Skips when ``POSETOOLS_SKIP_SLURM=1`` (without running the script, which installs Slurm
    with apt-get when run as root) or when this machine cannot host it (the script exits
    3: not root, no apt-get, a foreign slurm.conf); any other failure to start fails.
    """
    if os.environ.get(SKIP_SLURM) == '1':
        pytest.skip(f'{SKIP_SLURM}=1: the local Slurm is not started')
    start = subprocess.run(['bash', 'tools/slurm/start_local_slurm.sh'], cwd=REPO_ROOT,
                           capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, SLURM_PARTITION=SLURM_PARTITION))
    if start.returncode == 3:
        pytest.skip(f'no local Slurm: {start.stderr.strip()}')
    assert start.returncode == 0, f'local Slurm did not start:\n{start.stdout}\n{start.stderr}'
    return start


@pytest.fixture(scope='session')
def local_slurm() -> Iterator[str]:
    """The partition of the local Slurm (see :func:`start_local_slurm`). Stops, at the end
    of the session, what this session started."""
    start = start_local_slurm()
    yield SLURM_PARTITION
    if 'start_local_slurm: started ' in start.stdout:
        subprocess.run(['bash', 'tools/slurm/stop_local_slurm.sh'], cwd=REPO_ROOT,
                       timeout=120, check=True)
