"""Tests for tools/data/ntu_raw_to_pkl.py (run as a script, as users do)."""
import importlib.util
import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Sequence

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / 'tools' / 'data' / 'ntu_raw_to_pkl.py'
NUM_JOINTS = 25


def skeleton_text(frames: Sequence[Sequence[np.ndarray]], rng: np.random.Generator) -> str:
    """The .skeleton text of ``frames``: per frame, the 25 x 3 xyz of each listed body."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for xyz in bodies:
            lines += ['72057594037931101 0 1 1 0 1 0 0.1139641 -0.1437474 2', str(NUM_JOINTS)]
            for joint in range(NUM_JOINTS):
                extra = ' '.join(f'{v:.7g}' for v in rng.uniform(-1, 1, 8))
                lines.append(' '.join(repr(float(v)) for v in xyz[joint]) + f' {extra} 2')
    return '\r\n'.join(lines) + '\r\n'


def run_cli(args: List[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get('PYTHONPATH')]))
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def skeleton_dir(tmp_path: Path) -> Dict[str, np.ndarray]:
    """Writes valid, missing, out-of-NTU60 and malformed files.

    Returns:
        sample name -> expected keypoint (M x 5 x 25 x 3, float64) of each valid file.
    """
    rng = np.random.default_rng(7)
    directory = tmp_path / 'skeletons'
    directory.mkdir()
    template = rng.uniform(-0.3, 0.3, (NUM_JOINTS, 3))  # same joint layout for everyone
    expected = {}
    for name, persons in (('S001C001P001R001A001', 1), ('S002C002P003R001A013', 2),
                          ('S003C003P045R002A060', 1), ('S001C002P002R001A002', 1),
                          ('S001C001P001R001A061', 1)):
        # Persons of growing motion: the output lists the most moving one first.
        tracks = [np.round(template + rng.uniform(-1, 1, 3) +
                           np.cumsum(rng.normal(0, 0.02 * 10**k, (5, 1, 3)), axis=0), 6)
                  for k in range(persons)]
        (directory / f'{name}.skeleton').write_text(
            skeleton_text(list(zip(*tracks)), rng), newline='')
        expected[name] = np.stack(tracks[::-1])
    bad = skeleton_text([[np.zeros((NUM_JOINTS, 3))]], rng).split('\r\n')
    bad[10] = ' '.join(['0', '0', '0', 'abc'] + bad[10].split()[4:])  # a joint line
    (directory / 'S004C001P005R001A003.skeleton').write_text('\n'.join(bad))
    (directory / 'README.txt').write_text('ignored: not a .skeleton file\n')
    (tmp_path / 'missing.txt').write_text('# missing skeletons\n\nS001C002P002R001A002\n'
                                          'S001C001P001R001A005.skeleton\n')
    return expected


def test_cli_skip_bad_missing_list_and_workers(tmp_path: Path, skeleton_dir) -> None:
    out = tmp_path / 'out' / 'ntu60_3d.pkl'
    proc = run_cli([str(tmp_path / 'skeletons'), str(out), '--dataset', 'ntu60',
                    '--missing-list', str(tmp_path / 'missing.txt'), '--skip-bad',
                    '--num-workers', '2'])
    assert proc.returncode == 0, proc.stderr
    with open(out, 'rb') as file:
        data = pickle.load(file)
    names = ['S001C001P001R001A001', 'S002C002P003R001A013', 'S003C003P045R002A060']
    assert data['split'] == {
        'xsub_train': ['S001C001P001R001A001'],
        'xsub_val': ['S002C002P003R001A013', 'S003C003P045R002A060'],
        'xview_train': ['S002C002P003R001A013', 'S003C003P045R002A060'],
        'xview_val': ['S001C001P001R001A001'],
    }
    assert [ann['frame_dir'] for ann in data['annotations']] == names
    for ann in data['annotations']:
        assert sorted(ann) == ['frame_dir', 'keypoint', 'label', 'total_frames']
        assert ann['label'] == int(ann['frame_dir'][-3:]) - 1
        assert ann['total_frames'] == 5
        assert ann['keypoint'].dtype == np.float32
        np.testing.assert_array_equal(ann['keypoint'],
                                      skeleton_dir[ann['frame_dir']].astype(np.float32))

    summary = proc.stdout
    assert 'Wrote 3 samples' in summary
    assert 'skipped (missing list): 1' in summary
    assert 'skipped (not in ntu60): 1' in summary
    assert 'skipped (bad files): 1' in summary
    assert 'S004C001P005R001A003.skeleton' in summary and 'line 11' in summary
    for line in ('xsub_train: 1', 'xsub_val: 2', 'xview_train: 2', 'xview_val: 1'):
        assert line in summary


def load_cli() -> ModuleType:
    """Imports the script as a module (its ``main`` is not run on import)."""
    spec = importlib.util.spec_from_file_location('ntu_raw_to_pkl', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_stops_on_bad_file(tmp_path: Path, skeleton_dir,
                               capsys: pytest.CaptureFixture) -> None:
    # In-process (one subprocess above already covers running the script; each one pays
    # the package import).
    out = tmp_path / 'ntu120_3d.pkl'
    assert load_cli().main([str(tmp_path / 'skeletons'), str(out), '--dataset', 'ntu120']) == 1
    bad = tmp_path / 'skeletons' / 'S004C001P005R001A003.skeleton'
    stderr = capsys.readouterr().err
    assert f'{bad}, line 11: ' in stderr
    assert "'abc'" in stderr and '--skip-bad' in stderr
    assert not out.exists()


def test_cli_ntu120_float16_one_person(tmp_path: Path, skeleton_dir,
                                       capsys: pytest.CaptureFixture) -> None:
    (tmp_path / 'skeletons' / 'S004C001P005R001A003.skeleton').unlink()
    out = tmp_path / 'ntu120_3d.pkl'
    argv = [str(tmp_path / 'skeletons'), str(out), '--dataset', 'ntu120', '--dtype', 'float16',
            '--max-persons', '1']
    assert load_cli().main(argv) == 0
    with open(out, 'rb') as file:
        data = pickle.load(file)
    assert [ann['frame_dir'] for ann in data['annotations']] == sorted(skeleton_dir)
    assert data['split']['xsub_train'] == [
        'S001C001P001R001A001', 'S001C001P001R001A061', 'S001C002P002R001A002',
        'S003C003P045R002A060']
    assert data['split']['xset_train'] == ['S002C002P003R001A013']
    for ann in data['annotations']:
        assert ann['keypoint'].dtype == np.float16
        np.testing.assert_array_equal(ann['keypoint'],
                                      skeleton_dir[ann['frame_dir']][:1].astype(np.float16))
    assert 'Wrote 5 samples (ntu120, float16)' in capsys.readouterr().out
