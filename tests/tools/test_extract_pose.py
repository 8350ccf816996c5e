"""tools/data/extract_pose.py: inputs, bad files, workers, resume, and the pkl downstream.

The fake backends of tests/pose/extraction_helpers.py stand in for real ones: most runs call
the tool's ``main`` in this process (where the fakes are registered); the runs with worker
processes start the tool as users do, with ``--import tests.pose.extraction_helpers``.
"""
import importlib.util
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Dict, List

import mmengine
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from posetools.datasets import PoseVideoDataset
from tests.helpers import REPO_ROOT, run_tool
from tests.pose import extraction_helpers as helpers

SCRIPT = REPO_ROOT / 'tools' / 'data' / 'extract_pose.py'
FAKES = ['--detector-cfg', "dict(type='FakeForegroundDetector')",
         '--estimator-cfg', "{'type': 'FakeBoxGridEstimator'}"]
PLUGIN = ['--import', 'tests.pose.extraction_helpers']
CLASSES = ('jump', 'wave')  # folder name of the synth videos of label 0 and 1


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location('extract_pose', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


extract_pose = load_tool()


def run_main(args: List[str], capsys) -> str:
    """``main(args)`` in this process; fails unless it exits 0; returns its stdout."""
    status = extract_pose.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    assert status == 0, f'exit {status}\n--- stdout\n{out}\n--- stderr\n{err}'
    return out


def plugin_env() -> Dict[str, str]:
    """The environment in which ``--import tests.pose.extraction_helpers`` works."""
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get('PYTHONPATH')]))
    return dict(os.environ, PYTHONPATH=path)


def load(path: Path) -> dict:
    with open(path, 'rb') as file:
        return pickle.load(file)


def assert_entries_agree(output: dict) -> None:
    """Every entry's arrays agree with its total_frames and the image shape is (h, w)."""
    for entry in output['annotations']:
        frames, persons = entry['total_frames'], len(entry['keypoint'])
        assert persons >= 1, entry['frame_dir']
        assert entry['keypoint'].shape == (persons, frames, 17, 2)
        assert entry['keypoint_score'].shape == (persons, frames, 17)
        assert entry['person_box'].shape == (persons, frames, 4)
        assert entry['person_box_score'].shape == (persons, frames)
        assert entry['img_shape'] == entry['original_shape'] == (64, 64)


@pytest.fixture(scope='module')
def synth(tmp_path_factory) -> dict:
    """4 SynthAction videos: paths of ``write_video_dataset`` and the true annotations."""
    paths = helpers.write_synth_videos(tmp_path_factory.mktemp('synth'))
    truth = mmengine.load(paths['annotations'])
    return dict(paths, truth={ann['frame_dir']: ann for ann in truth['annotations']},
                split=truth['split'])


def class_folder(synth: dict, root: Path) -> Path:
    """The synth videos as ``root/<class>/<frame_dir>.mp4`` (class by label)."""
    for name, truth in synth['truth'].items():
        (root / CLASSES[truth['label']]).mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(synth['videos']) / truth['filename'],
                    root / CLASSES[truth['label']] / truth['filename'])
    return root


def test_folder_with_bad_files(synth, tmp_path, capsys):
    root = class_folder(synth, tmp_path / 'videos')
    bad = helpers.write_bad_files(root / 'wave')
    shutil.copy(Path(synth['videos']) / next(iter(synth['truth'].values()))['filename'],
                root / 'top_level.mp4')
    (root / 'wave' / 'notes.txt').write_text('not a video extension: ignored\n')
    (tmp_path / 'grid.py').write_text("type = 'FakeBoxGridEstimator'\n")
    out = run_main([root, tmp_path / 'out.pkl', '--label-from', 'folder', '--detector-cfg',
                    "dict(type='FakeForegroundDetector')", '--estimator-cfg',
                    tmp_path / 'grid.py'], capsys)

    output = load(tmp_path / 'out.pkl')
    assert output['label_names'] == list(CLASSES)
    names = {f"{CLASSES[t['label']]}/{name}": t for name, t in synth['truth'].items()}
    assert [e['frame_dir'] for e in output['annotations']] == sorted(names)
    assert output['split'] == {'all': sorted(names)}
    assert_entries_agree(output)
    for entry in output['annotations']:
        truth = names[entry['frame_dir']]
        assert entry['label'] == truth['label'] and entry['total_frames'] == truth['total_frames']
        np.testing.assert_allclose(entry['person_box'], truth['person_box'], atol=3)
    assert sorted(os.listdir(tmp_path)) == ['grid.py', 'out.pkl', 'videos']  # no part store

    assert f'{len(names)} videos of {root} done ({len(names)} extracted now' in out
    assert f'skipped: {len(bad) + 1}' in out
    reasons = {reason: [name for name, why in bad.items() if why == reason]
               for reason in bad.values()}
    reasons['no class folder (--label-from folder)'] = ['top_level.mp4']
    for reason, files in reasons.items():
        assert f'  {reason}: {len(files)}\n' in out
        for file in files:
            assert f'    {"" if file == "top_level.mp4" else "wave/"}{file}' in out
    assert 'frame 4 is 48x64 (h x w), frame 0 is 32x48' in out  # the resizing video's detail
    frames = sum(t['total_frames'] for t in names.values())
    assert f'frames without a person: 0 of {frames} (0.0%), in 0 of {len(names)} videos' in out


def write_list(synth: dict, path: Path, split: str, extra: bytes = b'') -> List[str]:
    """``split``'s list of the synth videos, with ``extra`` lines; returns its frame_dirs."""
    lines = Path(synth[split]).read_bytes()
    path.write_bytes(lines + extra)
    return synth['split'][split]


def test_list_with_bad_lines_then_the_val_list_into_the_same_pkl(synth, tmp_path, capsys):
    out_pkl = tmp_path / 'poses.pkl'
    first_line = Path(synth['xsub_train']).read_bytes().splitlines()[0]
    train = write_list(synth, tmp_path / 'synth_videos_xsub_train.txt', 'xsub_train',
                       b'\nno_label.mp4\nbad.mp4 x1\n\xff\xfe.mp4 0\nmissing.mp4 1\n'
                       + first_line + b'\n')
    out = run_main([tmp_path / 'synth_videos_xsub_train.txt', out_pkl, '--video-root',
                    synth['videos'], *FAKES], capsys)
    assert '  unreadable list line: 3\n' in out
    list_name = tmp_path / 'synth_videos_xsub_train.txt'
    start = len(train) + 2  # the list's lines, then a blank one
    for line, detail in ((start, "got 'no_label.mp4'"), (start + 1, "got 'bad.mp4 x1'"),
                         (start + 2, 'not UTF-8')):
        summary_line = next(text for text in out.splitlines()
                            if text.startswith(f'    {list_name}:{line}: '))
        assert detail in summary_line
    assert '  file not found: 1\n    missing.mp4\n' in out
    assert f"  duplicate frame_dir: 1\n    {first_line.split()[0].decode()}: " in out

    val = write_list(synth, tmp_path / 'synth_videos_xsub_val.txt', 'xsub_val')
    out = run_main([tmp_path / 'synth_videos_xsub_val.txt', out_pkl, '--video-root',
                    synth['videos'], '--resume', *FAKES], capsys)
    assert f'{len(val)} videos of {tmp_path / "synth_videos_xsub_val.txt"} done ' \
        f'({len(val)} extracted now in' in out
    output = load(out_pkl)
    assert output['split'] == dict(xsub_train=train, xsub_val=val)
    assert 'label_names' not in output
    assert [entry['frame_dir'] for entry in output['annotations']] == train + val
    assert_entries_agree(output)
    for entry in output['annotations']:
        assert entry['label'] == synth['truth'][entry['frame_dir']]['label']


def test_a_detector_that_estimates_too(tmp_path, capsys):
    """``--estimator-cfg None``: the detector's instance is the estimator too. A preset
    without an estimator (``mediapipe``) needs one with a replaced detector."""
    helpers.write_colour_video(tmp_path / 'two.mp4')
    run_main([tmp_path / 'two.mp4', tmp_path / 'out.pkl', '--detector-cfg',
              "dict(type='FakeColourPoser')", '--estimator-cfg', 'None'], capsys)
    entry, = load(tmp_path / 'out.pkl')['annotations']
    assert entry['keypoint'].shape == (2, 12, 17, 2)
    np.testing.assert_allclose(entry['keypoint'], helpers.grid_keypoints(entry['person_box']),
                               rtol=1e-6)
    with pytest.raises(SystemExit):
        extract_pose.parse_args([str(tmp_path / 'two.mp4'), str(tmp_path / 'out.pkl'),
                                 '--detector-cfg', "dict(type='FakeColourDetector')"])
    assert 'take --backend mediapipe-topdown' in capsys.readouterr().err


def test_split_names():
    names = {'synth_videos_xsub_train.txt': 'xsub_train', 'ntu_xview_val.txt': 'xview_val',
             'kinetics400_val_list_videos.txt': 'val', 'my-test.list': 'test',
             'videos.txt': None, 'training.txt': None}
    for name, split in names.items():
        assert extract_pose.split_from_list_name(f'data/{name}') == split, name


def test_resume_skips_the_stored_videos(synth, tmp_path, capsys):
    """A part store of an interrupted run holds 2 of the 4 videos, marked: they are kept as
    they are, the other 2 are extracted; without --resume the tool refuses to start."""
    root = class_folder(synth, tmp_path / 'videos')
    run_main([root, tmp_path / 'reference.pkl', *FAKES], capsys)
    reference = load(tmp_path / 'reference.pkl')
    store = extract_pose.PartStore(str(tmp_path / 'out.pkl'))
    for entry in reference['annotations'][::2]:
        store.add(dict(entry, keypoint_score=np.full_like(entry['keypoint_score'], 0.25)))

    assert extract_pose.main([str(root), str(tmp_path / 'out.pkl'), *FAKES]) == 1
    assert 'out.pkl.parts holds the videos of an interrupted run: pass --resume' in \
        capsys.readouterr().err

    out = run_main([root, tmp_path / 'out.pkl', '--resume', *FAKES], capsys)
    assert '4 videos of' in out and '(2 extracted now in' in out and ', 2 from before)' in out
    output = load(tmp_path / 'out.pkl')
    assert not store.exists()
    assert output['split'] == reference['split']
    for index, (entry, expected) in enumerate(zip(output['annotations'],
                                                  reference['annotations'])):
        assert entry['frame_dir'] == expected['frame_dir']
        assert (entry['keypoint_score'] == (0.25 if index % 2 == 0 else 0.5)).all()
        np.testing.assert_array_equal(entry['keypoint'], expected['keypoint'])

    out = run_main([root, tmp_path / 'out.pkl', '--resume', *FAKES], capsys)
    assert '(0 extracted now in' in out and ', 4 from before)' in out


def test_workers_killed_then_resumed(synth, tmp_path, capsys):
    """Two worker processes with a slow fake; the whole tool is killed (SIGKILL) once a video
    is stored: the output file is never half-written, and --resume completes the run with
    the same poses as a run in one process."""
    root = class_folder(synth, tmp_path / 'videos')
    out_pkl = tmp_path / 'out.pkl'
    slow = ['--detector-cfg', "dict(type='FakeForegroundDetector', delay=0.25)",
            '--estimator-cfg', "dict(type='FakeBoxGridEstimator')"]
    tool = subprocess.Popen([sys.executable, str(SCRIPT), str(root), str(out_pkl), '--workers',
                             '2', *PLUGIN, *slow], cwd=REPO_ROOT, env=plugin_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    store = extract_pose.PartStore(str(out_pkl))
    deadline = time.time() + 120
    while not (store.exists() and store.load()) and tool.poll() is None \
            and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(tool.pid, signal.SIGKILL)
    log = tool.communicate()[0].decode()
    assert tool.returncode == -signal.SIGKILL, log
    assert not out_pkl.exists()
    assert 1 <= len(store.load()) < len(synth['truth']), log

    run_main([root, out_pkl, '--resume', *FAKES], capsys)
    run_main([root, tmp_path / 'reference.pkl', *FAKES], capsys)
    output, reference = load(out_pkl), load(tmp_path / 'reference.pkl')
    assert output['split'] == reference['split']
    assert [e['frame_dir'] for e in output['annotations']] == \
        [e['frame_dir'] for e in reference['annotations']]
    for entry, expected in zip(output['annotations'], reference['annotations']):
        for key, value in expected.items():
            np.testing.assert_array_equal(entry[key], value, err_msg=key)


def test_cli_with_worker_processes_and_a_plugin(tmp_path):
    """As users run it: a single video, two workers, the fake backend from --import; and the
    error of a backend that cannot be built."""
    helpers.write_colour_video(tmp_path / 'two.mp4')
    options = [*PLUGIN, '--detector-cfg', "dict(type='FakeColourDetector')", '--estimator-cfg',
               "dict(type='FakeBoxGridEstimator')", '--max-persons', '3', '--split', 'test']
    proc = run_tool([SCRIPT, tmp_path / 'two.mp4', tmp_path / 'out.pkl', '--workers', '2',
                     *options], env=plugin_env())
    assert 'frames without a person: 1 of 12 (8.3%), in 1 of 1 videos' in proc.stdout
    output = load(tmp_path / 'out.pkl')
    assert output['split'] == {'test': ['two']}
    assert output['annotations'][0]['keypoint'].shape == (2, 12, 17, 2)
    assert 'label' not in output['annotations'][0]

    proc = run_tool([SCRIPT, tmp_path / 'two.mp4', tmp_path / 'other.pkl', '--backend',
                     'mediapipe-topdown', '--detector-cfg', "dict(type='NoSuchDetector')"],
                    env=plugin_env(), expect_ok=False)
    assert proc.returncode == 1
    assert 'stopped: cannot build the pose backend: KeyError' in proc.stderr
    assert not (tmp_path / 'other.pkl').exists()


@pytest.fixture(scope='module')
def extracted(synth, tmp_path_factory) -> Path:
    """The synth train and val lists extracted into one pkl (splits xsub_train, xsub_val)."""
    out_pkl = tmp_path_factory.mktemp('extracted') / 'synth_poses.pkl'
    for split in ('xsub_train', 'xsub_val'):
        assert extract_pose.main([synth[split], str(out_pkl), '--video-root', synth['videos'],
                                  '--resume', *FAKES]) == 0
    return out_pkl


def test_the_pkl_loads_in_mmaction_pose_dataset(extracted, synth):
    from mmaction.datasets import PoseDataset
    pipeline = [dict(type='mmaction.UniformSampleFrames', clip_len=4),
                dict(type='mmaction.PoseDecode'),
                dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
                dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
                dict(type='mmaction.GeneratePoseTarget', with_kp=True),
                dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
                dict(type='mmaction.PackActionInputs')]
    dataset = PoseDataset(str(extracted), pipeline, split='xsub_train')
    assert len(dataset) == len(synth['split']['xsub_train'])
    sample = dataset[0]
    assert sample['inputs'].shape == (1, 17, 4, 32, 32) and sample['inputs'].max() > 0.25


def test_the_pkl_gives_pose_video_dataset_its_boxes(extracted, synth):
    dataset = PoseVideoDataset(synth['xsub_val'], [], pose_file=str(extracted),
                               data_prefix=dict(video=synth['videos']))
    output = load(extracted)
    entries = {entry['frame_dir']: entry for entry in output['annotations']}
    assert len(dataset) == len(synth['split']['xsub_val'])
    for index in range(len(dataset)):
        pose = dataset.get_data_info(index)['pose']
        entry = entries[pose['frame_dir']]
        np.testing.assert_array_equal(pose['person_box'], entry['person_box'])
        assert pose['total_frames'] == entry['total_frames'] and pose['img_shape'] == (64, 64)


def test_posec3d_trains_on_the_pkl(extracted, tmp_path):
    cfg = Config.fromfile(str(REPO_ROOT / 'configs' / 'posec3d' / 'slowonly_r50_synth.py'))
    cfg.model.cls_head.num_classes = 2
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].update(batch_size=2)
        cfg[name].dataset.update(ann_file=str(extracted), num_classes=2)
        for transform in cfg[name].dataset.pipeline:
            if transform['type'] == 'mmaction.UniformSampleFrames':
                transform.update(clip_len=4, num_clips=1)
    cfg.train_cfg.update(max_epochs=1, val_interval=1)
    cfg.default_hooks.checkpoint.update(save_best=None)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 1  # 2 training videos at batch 2
    assert 0 <= runner.test()['acc/top1'] <= 1
