"""The first commands a new user runs: the quickstart prints its result once, vis_synth.py
writes into work_dirs/, and the test suite's Slurm tests can be skipped without apt-get."""
import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO_ROOT

# Stands in for the venv's python in a copy of the quickstart: what the tools print, at once.
STUB_PYTHON = r"""#!/usr/bin/env bash
tool=$1; shift
while [ $# -gt 0 ]; do
    [ "$1" = --work-dir ] && work_dir=$2
    shift
done
case $tool in
    tools/train.py)
        echo "$work_dir/epoch_40.pth" > "$work_dir/last_checkpoint" ;;
    tools/test.py)
        echo "12/03 17:56:02 - mmengine - INFO - Epoch(test) [5/5]  acc/top1: 0.9375  acc/top5: 1.0"
        echo "acc/top1: 0.9375 acc/top5: 1.0000 acc/mean1: 0.9300" ;;
esac
"""


def test_quickstart_prints_top1_once(tmp_path):
    (tmp_path / 'tools').mkdir()
    for path in ('setup.py', 'tools/install.sh', 'tools/quickstart.sh'):
        shutil.copy(REPO_ROOT / path, tmp_path / path)
    venv = tmp_path / '.venv'
    (venv / 'bin').mkdir(parents=True)
    (venv / 'bin' / 'python').write_text(STUB_PYTHON)
    (venv / 'bin' / 'python').chmod(0o755)
    (tmp_path / 'work_dirs' / 'stt_synth').mkdir(parents=True)
    # install.sh's stamp for these files: nothing to install
    digest = hashlib.sha256((tmp_path / 'setup.py').read_bytes()
                            + (tmp_path / 'tools/install.sh').read_bytes()).hexdigest()
    (venv / '.posetools-installed').write_text(digest + '\n')
    env = {key: value for key, value in os.environ.items() if key != 'VENV'}
    proc = subprocess.run(['bash', tmp_path / 'tools/quickstart.sh'], capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == ('SynthAction held-out top-1 (xsub_val, '
                         'work_dirs/stt_synth/epoch_40.pth): 0.9375'), proc.stdout


def test_vis_synth_writes_into_work_dirs(tmp_path):
    proc = subprocess.run([sys.executable, REPO_ROOT / 'tools/analysis/vis_synth.py',
                           '--num-classes', '2', '--frames', '2'],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert [path.name for path in tmp_path.iterdir()] == ['work_dirs']
    assert (tmp_path / 'work_dirs' / 'synth_grid.png').stat().st_size > 0


def test_skip_slurm_runs_nothing(monkeypatch):
    from tests.tools import conftest

    def no_run(*args, **kwargs):
        pytest.fail(f'ran {args} although POSETOOLS_SKIP_SLURM=1')

    monkeypatch.setenv('POSETOOLS_SKIP_SLURM', '1')
    monkeypatch.setattr(conftest.subprocess, 'run', no_run)
    with pytest.raises(pytest.skip.Exception, match='POSETOOLS_SKIP_SLURM=1'):
        conftest.start_local_slurm()
    assert 'POSETOOLS_SKIP_SLURM=1' in (REPO_ROOT / 'README.md').read_text()
