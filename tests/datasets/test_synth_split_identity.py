"""The SynthAction pickles stay byte-identical to a stored fixture.

``tests/data/synth_fixture/`` holds ``synth_ntu3d.pkl`` and ``synth_coco2d.pkl`` written by
:meth:`~posetools.datasets.synth.SynthActionGenerator.write_dataset` with :data:`FIXTURE_ARGS`
(24 clips covering all 12 classes, both splits, mirroring, one- and two-person clips with
'same' and 'idle' partners). Any change to the order or the values of the generator's random
draws, to the kinematics, the camera or the annotation converters changes these bytes; pure
refactorings must not.

The fixture was written before ``posetools/datasets/synth.py`` became the ``synth/`` package.
To regenerate it after an intended change of the data (run from the repository root)::

    python tests/datasets/test_synth_split_identity.py
"""
from pathlib import Path
from typing import Any, List

import mmengine
import numpy as np

from posetools.datasets.synth import SynthActionGenerator

FIXTURE_DIR = Path(__file__).resolve().parents[1] / 'data' / 'synth_fixture'
FIXTURE_ARGS = dict(num_samples=24, num_classes=12, min_frames=8, max_frames=16, seed=3,
                    second_person_prob=0.5)
"""Generator arguments of the fixture (noise, mirror and fidget probabilities: defaults)."""
FILE_NAMES = ('synth_ntu3d.pkl', 'synth_coco2d.pkl')


def _diff_values(expected: Any, actual: Any, where: str, out: List[str]) -> None:
    """Append a line to ``out`` for every leaf where ``actual`` differs from ``expected``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual):
            out.append(f'{where}: keys {list(expected)} != {list(actual)}')
        for key in expected:
            if key in actual:
                _diff_values(expected[key], actual[key], f'{where}[{key!r}]', out)
    elif isinstance(expected, (list, tuple)) and isinstance(actual, (list, tuple)):
        if type(expected) is not type(actual) or len(expected) != len(actual):
            out.append(f'{where}: {type(expected).__name__} of {len(expected)} != '
                       f'{type(actual).__name__} of {len(actual)}')
        for i, (x, y) in enumerate(zip(expected, actual)):
            label = x.get('frame_dir', i) if isinstance(x, dict) else i
            _diff_values(x, y, f'{where}[{label!r}]', out)
    elif isinstance(expected, np.ndarray) and isinstance(actual, np.ndarray):
        if expected.shape != actual.shape or expected.dtype != actual.dtype:
            out.append(f'{where}: array {expected.dtype}{expected.shape} != '
                       f'{actual.dtype}{actual.shape}')
        elif not np.array_equal(expected, actual):
            diff = np.abs(expected.astype(np.float64) - actual.astype(np.float64))
            out.append(f'{where}: {int((diff > 0).sum())} of {diff.size} values differ, '
                       f'max abs difference {diff.max():.3g}')
    elif type(expected) is not type(actual) or expected != actual:
        out.append(f'{where}: {expected!r} != {actual!r}')


def describe_difference(expected_path: Path, actual_path: Path, limit: int = 12) -> str:
    """Human-readable difference between two SynthAction pickles, loaded with mmengine."""
    out: List[str] = []
    _diff_values(mmengine.load(str(expected_path)), mmengine.load(str(actual_path)),
                 actual_path.name, out)
    if not out:
        return (f'{actual_path.name}: same contents, different pickle bytes (object sharing, '
                f'container types or the pickle protocol changed)')
    more = f'\n  ... and {len(out) - limit} more' if len(out) > limit else ''
    hint = ('\n  (only tiny float differences: suspect the platform or NumPy version, not the '
            'draw order)' if all('max abs difference' in line and float(line.rsplit(' ', 1)[1])
                                 < 1e-4 for line in out) else '')
    return '\n  '.join(out[:limit]) + more + hint


def write_fixture(out_dir: Path = FIXTURE_DIR) -> None:
    """(Re)write the fixture pickles."""
    SynthActionGenerator(**FIXTURE_ARGS).write_dataset(str(out_dir))


def test_pickles_identical_to_fixture(tmp_path):
    write_fixture(tmp_path)
    problems = []
    for name in FILE_NAMES:
        expected, actual = FIXTURE_DIR / name, tmp_path / name
        if expected.read_bytes() != actual.read_bytes():
            problems.append(describe_difference(expected, actual))
    assert not problems, ('SynthAction output differs from tests/data/synth_fixture/:\n  ' +
                          '\n  '.join(problems))


if __name__ == '__main__':
    write_fixture()
    print('wrote', ', '.join(str(FIXTURE_DIR / name) for name in FILE_NAMES))
