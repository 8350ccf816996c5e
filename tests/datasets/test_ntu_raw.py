"""Tests for posetools.datasets.ntu_raw (raw NTU RGB+D .skeleton -> mmaction2 annotations)."""
import importlib.util
import os.path as osp
import pickle
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Sequence

import numpy as np
import pytest

from posetools.datasets.ntu_raw import (NTUSample, NTUSampleNameError, NTUSkeletonFormatError,
                                        build_splits, convert_ntu_skeletons, load_ntu_sample,
                                        read_sample_list, read_skeleton_slots, select_bodies)

NUM_JOINTS = 25


# Joint layout shared by all generated bodies, so that the motion energy of a body is
# driven by its motion (the spread of the joints is the same for every body).
TEMPLATE = np.random.default_rng(123).uniform(-0.3, 0.3, (NUM_JOINTS, 3))


def random_track(rng: np.random.Generator, num_frames: int, motion: float) -> np.ndarray:
    """A moving body, T x 25 x 3, rounded to 7 significant digits like NTU files."""
    offset = rng.uniform(-1, 1, 3) + np.array([0.0, 0.0, 3.0])
    drift = np.cumsum(rng.normal(0, motion, (num_frames, 1, 3)), axis=0)
    jitter = rng.normal(0, motion / 4, (num_frames, NUM_JOINTS, 3))
    return np.vectorize(lambda v: float(f'{v:.7g}'))(TEMPLATE + offset + drift + jitter)


def slot_arrays(frames: Sequence[Sequence[np.ndarray]], num_slots: int = 4) -> np.ndarray:
    """The k-th listed body of each frame in slot k: num_slots x T x 25 x 3."""
    slots = np.zeros((num_slots, len(frames), NUM_JOINTS, 3))
    for t, bodies in enumerate(frames):
        for k, xyz in enumerate(bodies[:num_slots]):
            slots[k, t] = xyz
    return slots


def skeleton_text(frames: Sequence[Sequence[np.ndarray]], rng: np.random.Generator,
                  newline: str = '\n') -> str:
    """The .skeleton text of ``frames``: per frame, the 25 x 3 xyz of each listed body."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for xyz in bodies:
            lean = rng.uniform(-0.3, 0.3, 2)
            lines.append(f'720575940379{rng.integers(10000, 99999)} 0 1 1 0 1 0 '
                         f'{lean[0]:.7g} {lean[1]:.7g} 2')
            lines.append(str(NUM_JOINTS))
            extra = rng.uniform(-1, 1, (NUM_JOINTS, 8)) * [500, 400, 1900, 1000, 1, 1, 1, 1]
            for joint in range(NUM_JOINTS):
                values = [repr(float(v)) for v in xyz[joint]]
                values += [f'{v:.7g}' for v in extra[joint]]
                values.append(str(int(rng.integers(0, 3))))
                lines.append(' '.join(values))
    return newline.join(lines) + newline


def write_skeleton(directory: Path, name: str, frames: Sequence[Sequence[np.ndarray]],
                   rng: np.random.Generator, newline: str = '\n') -> Path:
    """Writes ``directory/name.skeleton`` and returns its path."""
    path = directory / f'{name}.skeleton'
    path.write_text(skeleton_text(frames, rng, newline), newline='')
    return path


def build_scenarios(directory: Path, seed: int = 0) -> Dict[str, np.ndarray]:
    """Writes the test files; returns name -> expected keypoint (M x T x 25 x 3, float64).

    The expectations follow the selection rule by construction (the 2 slots with
    the most motion, ordered by motion, all-zero slots dropped).
    """
    rng = np.random.default_rng(seed)
    zeros = np.zeros((NUM_JOINTS, 3))
    expected = {}

    one = random_track(rng, 6, 0.05)
    write_skeleton(directory, 'S001C001P001R001A001', [[f] for f in one], rng)
    expected['S001C001P001R001A001'] = one[None]

    # Two bodies; the second moves more, so it comes first. P045: NTU120-only train subject.
    calm, busy = random_track(rng, 8, 0.01), random_track(rng, 8, 0.1)
    write_skeleton(directory, 'S001C002P045R001A050', [[c, b] for c, b in zip(calm, busy)], rng)
    expected['S001C002P045R001A050'] = np.stack([busy, calm])

    # Four bodies: only slots 3 and 1 (the two highest energies) are kept, in that order.
    tracks = [random_track(rng, 7, m) for m in (0.01, 0.2, 0.05, 0.4)]
    write_skeleton(directory, 'S002C003P003R002A010', list(zip(*tracks)), rng)
    expected['S002C003P003R002A010'] = np.stack([tracks[3], tracks[1]])

    # An all-zero body in slot 1 is dropped although it is among the two kept slots.
    real = random_track(rng, 5, 0.05)
    write_skeleton(directory, 'S004C002P008R002A020', [[r, zeros] for r in real], rng)
    expected['S004C002P008R002A020'] = real[None]

    # Body A leaves after frame 5: body B then is the first listed body, so it moves
    # from slot 1 to slot 0 (slots follow the listing order, not the body ID).
    a, b = random_track(rng, 10, 0.15), random_track(rng, 10, 0.005)
    frames = [[a[t], b[t]] for t in range(5)] + [[b[t]] for t in range(5, 10)]
    write_skeleton(directory, 'S003C001P004R001A060', frames, rng)
    expected['S003C001P004R001A060'] = slot_arrays(frames)[:2]

    # Varying body counts (0 to 5 per frame), a tracking-lost (all-zero) body in a frame,
    # and a wildly moving 5th body, which is ignored (only 4 slots exist).
    t = [random_track(rng, 9, m) for m in (0.03, 0.1, 0.005, 0.01, 1.0)]
    counts = [0, 1, 2, 3, 5, 5, 2, 0, 4]
    frames = [[t[k][f] for k in range(n)] for f, n in enumerate(counts)]
    frames[6][1] = zeros
    write_skeleton(directory, 'S005C003P009R001A030', frames, rng)
    expected['S005C003P009R001A030'] = slot_arrays(frames)[[1, 0]]

    # Windows line endings, as in the released files.
    c, d = random_track(rng, 4, 0.02), random_track(rng, 4, 0.06)
    write_skeleton(directory, 'S002C001P013R001A045', [[x, y] for x, y in zip(c, d)], rng,
                   newline='\r\n')
    expected['S002C001P013R001A045'] = np.stack([d, c])

    # No body at all: M = 0, the frames are kept.
    write_skeleton(directory, 'S006C001P005R001A002', [[] for _ in range(3)], rng)
    expected['S006C001P005R001A002'] = np.zeros((0, 3, NUM_JOINTS, 3))
    return expected


def load_mmaction_script() -> ModuleType:
    """Loads mmaction2's own converter from the installed wheel (without running main)."""
    spec = importlib.util.find_spec('mmaction')
    path = osp.join(osp.dirname(spec.origin), '.mim', 'tools', 'data', 'skeleton',
                    'gen_ntu_rgbd_raw.py')
    assert osp.isfile(path), f'{path} not found: the reference needs the mmaction2 wheel'
    script_spec = importlib.util.spec_from_file_location('mmaction_gen_ntu_rgbd_raw', path)
    module = importlib.util.module_from_spec(script_spec)
    script_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def mmaction_script() -> ModuleType:
    return load_mmaction_script()


@pytest.fixture(scope='module')
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp('skeletons')


@pytest.fixture(scope='module')
def scenarios(scenario_dir: Path) -> Dict[str, np.ndarray]:
    return build_scenarios(scenario_dir)


def test_keypoints_exact_values(scenario_dir: Path, scenarios: Dict) -> None:
    for name, expected in scenarios.items():
        ann = load_ntu_sample(str(scenario_dir / f'{name}.skeleton'), dtype=np.float64)
        assert ann['frame_dir'] == name
        assert ann['label'] == int(name[-3:]) - 1
        assert ann['total_frames'] == ann['keypoint'].shape[1]
        assert ann['keypoint'].dtype == np.float64
        np.testing.assert_array_equal(ann['keypoint'], expected, err_msg=name)


def test_body_present_in_some_frames_and_varying_counts(scenario_dir: Path, scenarios) -> None:
    slots = read_skeleton_slots(str(scenario_dir / 'S003C001P004R001A060.skeleton'))
    assert slots.shape == (4, 10, NUM_JOINTS, 3)
    assert not slots[1, 5:].any() and slots[1, :5].all()
    assert not slots[2:].any()
    ann = load_ntu_sample(str(scenario_dir / 'S005C003P009R001A030.skeleton'))
    assert ann['keypoint'].shape == (2, 9, NUM_JOINTS, 3)
    assert ann['total_frames'] == 9
    assert not ann['keypoint'][:, [0, 7]].any()  # frames without bodies stay zero


def test_default_dtype_is_float32_cast(scenario_dir: Path, scenarios) -> None:
    path = str(scenario_dir / 'S002C003P003R002A010.skeleton')
    ann32 = load_ntu_sample(path)
    ann64 = load_ntu_sample(path, dtype=np.float64)
    assert ann32['keypoint'].dtype == np.float32
    np.testing.assert_array_equal(ann32['keypoint'], ann64['keypoint'].astype(np.float32))


@pytest.mark.parametrize('max_persons', [1, 2, 3, 4])
def test_matches_mmaction_read_xyz(mmaction_script: ModuleType, scenario_dir: Path, scenarios,
                                   monkeypatch: pytest.MonkeyPatch, max_persons: int) -> None:
    monkeypatch.setattr(mmaction_script, 'max_body_true', max_persons)
    for name in scenarios:
        path = str(scenario_dir / f'{name}.skeleton')
        reference = mmaction_script.read_xyz(path, max_body=4, num_joint=NUM_JOINTS)
        ours = select_bodies(read_skeleton_slots(path), max_persons)
        assert ours.dtype == reference.dtype == np.float64
        assert ours.shape == reference.shape, name
        assert np.array_equal(ours, reference), name


@pytest.mark.parametrize('dataset', ['ntu60', 'ntu120'])
def test_matches_mmaction_gendata(mmaction_script: ModuleType, scenario_dir: Path, scenarios,
                                  tmp_path: Path, dataset: str) -> None:
    ignored = tmp_path / 'ignored.txt'
    ignored.write_text('S004C002P008R002A020\n')
    mmaction_script.gendata(str(scenario_dir), str(tmp_path), str(ignored), dataset)
    with open(tmp_path / f'{dataset}_3d.pkl', 'rb') as file:
        reference = pickle.load(file)

    ours = convert_ntu_skeletons(str(scenario_dir), dataset, read_sample_list(str(ignored)),
                                 dtype=np.float16, progress=False)
    assert ours.skipped_missing == ['S004C002P008R002A020']
    assert ours.empty == ['S006C001P005R001A002']
    assert sorted(ours.data['split']) == sorted(reference['split'])
    for split, names in reference['split'].items():
        assert ours.data['split'][split] == sorted(names), split
    ref_anns = {ann['frame_dir']: ann for ann in reference['annotations']}
    assert [ann['frame_dir'] for ann in ours.data['annotations']] == sorted(ref_anns)
    for ann in ours.data['annotations']:
        ref = ref_anns[ann['frame_dir']]
        assert sorted(ann) == sorted(ref)
        assert ann['label'] == ref['label'] and ann['total_frames'] == ref['total_frames']
        assert ann['keypoint'].dtype == ref['keypoint'].dtype == np.float16
        assert np.array_equal(ann['keypoint'], ref['keypoint']), ann['frame_dir']


def test_num_workers_gives_same_result(scenario_dir: Path, scenarios) -> None:
    serial = convert_ntu_skeletons(str(scenario_dir), 'ntu120', progress=False)
    parallel = convert_ntu_skeletons(str(scenario_dir), 'ntu120', num_workers=2, progress=False)
    assert parallel.data['split'] == serial.data['split']
    for a, b in zip(serial.data['annotations'], parallel.data['annotations'], strict=True):
        assert a['frame_dir'] == b['frame_dir']
        np.testing.assert_array_equal(a['keypoint'], b['keypoint'])


def test_sample_name_fields_and_splits() -> None:
    sample = NTUSample.from_path('/data/S001C002P005R002A008.skeleton')
    assert sample == NTUSample(setup=1, camera=2, performer=5, replication=2, action=8)
    assert sample.name == 'S001C002P005R002A008' and sample.label == 7
    assert sample.splits('ntu60') == ('xsub_train', 'xview_train')
    assert sample.splits('ntu120') == ('xsub_train', 'xset_val')
    assert NTUSample(2, 1, 3, 1, 1).splits('ntu60') == ('xsub_val', 'xview_val')
    assert NTUSample(2, 3, 3, 1, 1).splits('ntu120') == ('xsub_val', 'xset_train')
    assert NTUSample(18, 1, 45, 1, 99).splits('ntu120') == ('xsub_train', 'xset_train')
    assert NTUSample(3, 1, 45, 1, 9).splits('ntu60') == ('xsub_val', 'xview_val')
    assert NTUSample(17, 1, 1, 1, 60).in_dataset('ntu60')
    assert not NTUSample(17, 1, 1, 1, 61).in_dataset('ntu60')
    assert not NTUSample(18, 1, 1, 1, 1).in_dataset('ntu60')
    assert NTUSample(32, 1, 1, 1, 120).in_dataset('ntu120')

    samples = [NTUSample.from_path(f'{n}.skeleton') for n in
               ('S001C001P001R001A001', 'S002C002P003R001A002', 'S003C003P045R001A003')]
    assert build_splits(samples, 'ntu60') == {
        'xsub_train': ['S001C001P001R001A001'],
        'xsub_val': ['S002C002P003R001A002', 'S003C003P045R001A003'],
        'xview_train': ['S002C002P003R001A002', 'S003C003P045R001A003'],
        'xview_val': ['S001C001P001R001A001'],
    }
    assert build_splits(samples, 'ntu120') == {
        'xsub_train': ['S001C001P001R001A001', 'S003C003P045R001A003'],
        'xsub_val': ['S002C002P003R001A002'],
        'xset_train': ['S002C002P003R001A002'],
        'xset_val': ['S001C001P001R001A001', 'S003C003P045R001A003'],
    }


@pytest.mark.parametrize('file_name', [
    'S001C001P001R001A01.skeleton', 'foo.skeleton', 's001c001p001r001a001.skeleton',
    'S001C001P001R001A001.txt', 'S001C001P001R001A000.skeleton'
])
def test_bad_sample_name(file_name: str) -> None:
    with pytest.raises(NTUSampleNameError, match=file_name.replace('.', r'\.')):
        NTUSample.from_path(f'/data/{file_name}')


def test_dataset_filter_missing_list_and_bad_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    track = random_track(rng, 3, 0.05)
    for name in ('S001C001P001R001A001', 'S001C001P001R001A061', 'S018C001P001R001A001',
                 'S001C002P002R001A002', 'S001C003P002R001A003'):
        write_skeleton(tmp_path, name, [[f] for f in track], rng)
    (tmp_path / 'README.txt').write_text('not a skeleton file\n')
    missing_list = tmp_path / 'missing.txt'
    missing_list.write_text('# samples with missing skeletons\n\nS001C002P002R001A002\n'
                            'S001C003P002R001A003.skeleton  # with suffix\nS009C001P001R001A001\n')
    missing = read_sample_list(str(missing_list))
    assert missing == {'S001C002P002R001A002', 'S001C003P002R001A003', 'S009C001P001R001A001'}

    ntu60 = convert_ntu_skeletons(str(tmp_path), 'ntu60', missing, progress=False)
    assert [a['frame_dir'] for a in ntu60.data['annotations']] == ['S001C001P001R001A001']
    assert ntu60.skipped_other_dataset == ['S001C001P001R001A061', 'S018C001P001R001A001']
    assert ntu60.skipped_missing == ['S001C002P002R001A002', 'S001C003P002R001A003']
    ntu120 = convert_ntu_skeletons(str(tmp_path), 'ntu120', missing, progress=False)
    assert [a['frame_dir'] for a in ntu120.data['annotations']] == [
        'S001C001P001R001A001', 'S001C001P001R001A061', 'S018C001P001R001A001']
    assert [a['label'] for a in ntu120.data['annotations']] == [0, 60, 0]
    assert ntu120.data['split']['xset_train'] == ['S018C001P001R001A001']

    bad_name = tmp_path / 'S001C001P001R001A1.skeleton'
    bad_name.write_text('0\n')
    with pytest.raises(NTUSampleNameError, match='S001C001P001R001A1.skeleton'):
        convert_ntu_skeletons(str(tmp_path), 'ntu60', progress=False)
    skipped = convert_ntu_skeletons(str(tmp_path), 'ntu60', skip_bad=True, progress=False)
    assert [path for path, _ in skipped.skipped_bad] == [str(bad_name)]
    assert len(skipped.data['annotations']) == 3


def _replace_token(lines: List[str], line: int, position: int, token: str) -> None:
    tokens = lines[line - 1].split()
    tokens[position] = token
    lines[line - 1] = ' '.join(tokens)


# Layout of the 2-frame file below: line 1 frame count; frame 1: line 2 body count,
# body 1 on lines 3 (info), 4 (joint count), 5-29 (joints), body 2 on lines 30, 31,
# 32-56; frame 2: line 57 body count, body on lines 58, 59, 60-84.
MALFORMED = {
    'non-numeric joint value': (lambda ls: _replace_token(ls, 40, 4, '0.1x'), 40, "'0.1x'"),
    'non-numeric body info': (lambda ls: _replace_token(ls, 30, 7, 'nan?'), 30, "'nan?'"),
    'body info with 9 values': (lambda ls: ls.__setitem__(2, ls[2].rsplit(' ', 1)[0]), 3,
                                'body info'),
    'joint line with 11 values': (lambda ls: ls.__setitem__(70, ls[70].rsplit(' ', 1)[0]),
                                  71, 'found 11 value'),
    'wrong joint count': (lambda ls: ls.__setitem__(30, '20'), 31, 'joint count 25, found 20'),
    'non-integer body count': (lambda ls: ls.__setitem__(56, '1.0'), 57,
                               'non-negative integer'),
    'truncated file': (lambda ls: ls.__delitem__(slice(75, None)), 76, 'end of file'),
    'truncated last line': (lambda ls: ls.__setitem__(83, ls[83][:20]), 84, 'joint line'),
    'frame count too large': (lambda ls: ls.__setitem__(0, '3'), 85, 'body count of frame 3'),
    'frame count too small': (lambda ls: ls.__setitem__(0, '1'), 57, 'end of file after'),
    'empty file': (lambda ls: ls.clear(), 1, 'frame count'),
}


@pytest.mark.parametrize('case', sorted(MALFORMED))
def test_malformed_file_errors(tmp_path: Path, case: str) -> None:
    mutate, line, expected = MALFORMED[case]
    rng = np.random.default_rng(2)
    body1, body2 = random_track(rng, 2, 0.05), random_track(rng, 1, 0.05)
    lines = skeleton_text([[body1[0], body2[0]], [body1[1]]], rng).splitlines()
    assert len(lines) == 84
    mutate(lines)
    path = tmp_path / 'S001C001P001R001A001.skeleton'
    path.write_text('\n'.join(lines) + '\n' if lines else '')
    with pytest.raises(NTUSkeletonFormatError) as info:
        load_ntu_sample(str(path))
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message.startswith(f'{path}, line {line}: '), message
    assert expected in message, message
    assert info.value.line == line and info.value.path == str(path)
    assert pickle.loads(pickle.dumps(info.value)).args == info.value.args

    with pytest.raises(NTUSkeletonFormatError, match=f'line {line}:'):
        convert_ntu_skeletons(str(tmp_path), progress=False)
    skipped = convert_ntu_skeletons(str(tmp_path), skip_bad=True, progress=False)
    assert skipped.skipped_bad == [(str(path), message)]
    assert skipped.data['annotations'] == []
