"""Each upstream workaround in posetools.compat is needed and works."""
import argparse
import os
import pickle
import re
import subprocess
import sys
import traceback
import zipfile
from typing import Iterator

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint, load_from_local

from posetools import compat


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120)


def test_mmaction_models_import_fails_without_drn_placeholder():
    proc = run_python('import mmaction.models')
    assert proc.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in proc.stderr


def test_drn_placeholder_makes_mmaction_models_importable():
    proc = run_python(
        'import posetools, mmaction.models\n'
        'from mmaction.registry import MODELS\n'
        "assert MODELS.get('ResNet3dSlowOnly') is not None\n"
        'from mmaction.models.localizers.drn.drn import DRN\n'
        'try:\n'
        '    DRN()\n'
        'except ImportError as error:\n'
        "    print('DRN:', error)\n")
    assert proc.returncode == 0, proc.stderr
    assert 'DRN: mmaction2 1.2.0 was installed without' in proc.stdout


def test_drn_placeholder_is_installed_once():
    assert compat.install_drn_placeholder() is False  # posetools' import already did it


def mmengine_checkpoint(path) -> None:
    """A checkpoint holding what mmengine's Runner saves in its message hub."""
    hub = MessageHub('compat-test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('epoch', 3)
    torch.save(dict(meta=dict(seed=3, epoch=3), state_dict=dict(w=torch.ones(2)),
                    message_hub=hub.state_dict()), path)


@pytest.fixture
def no_safe_globals() -> Iterator[list]:
    """An empty allow-list during the test; yields the one it replaced, restored after."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    yield saved
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals(saved)


def test_weights_only_load_of_mmengine_checkpoint_needs_allow_list(tmp_path, no_safe_globals):
    path = tmp_path / 'ckpt.pth'
    mmengine_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        torch.load(path, weights_only=True)
    compat.allow_mmengine_checkpoint_globals()
    checkpoint = torch.load(path, weights_only=True)
    buffer = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375)
    assert buffer.current() == pytest.approx(0.25)


class Payload:
    """Something an attacker would like torch.load to build."""


def test_allow_list_does_not_open_arbitrary_getattr(tmp_path):
    """The stand-in for builtins.getattr refuses everything but HistoryBuffer statistics."""
    path = tmp_path / 'evil.pth'
    torch.save({'fn': getattr(HistoryBuffer, '__init__')}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    with pytest.raises(pickle.UnpicklingError, match='only HistoryBuffer statistics'):
        compat.history_buffer_statistic(HistoryBuffer, '__init__')
    with pytest.raises(pickle.UnpicklingError):
        compat.history_buffer_statistic(Payload, 'mean')
    assert compat.history_buffer_statistic(HistoryBuffer, 'mean') is HistoryBuffer.mean


def test_mmengine_loads_local_checkpoints_weights_only(tmp_path, monkeypatch):
    """mmengine's own local loader calls torch.load without weights_only, so an environment
    that turns torch's default off would let a checkpoint build any object."""
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2)), payload=Payload()), path)
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    assert isinstance(load_from_local(str(path), 'cpu')['payload'], Payload)
    # what Runner.resume and Runner.load_checkpoint call
    with pytest.raises(compat.CheckpointLoadError,
                       match=f'{re.escape(str(path))}: refused .*test_compat.Payload'):
        _load_checkpoint(str(path), map_location='cpu')


TORCH_ADVICE = ('weights_only` set to `False', 'weights_only=False`', 'Re-running',
                'likely succeed', 'add_safe_globals', 'file an issue')
"""Pieces of torch's advice around a weights-only failure: posetools' errors repeat none."""


def assert_no_torch_advice(message: str) -> None:
    for advice in TORCH_ADVICE:
        assert advice not in message, message


def load_error(path) -> str:
    """The CheckpointLoadError message of mmengine's loader (Runner.resume, load_checkpoint,
    tools/test.py) for ``path``; torch's own error is its cause."""
    with pytest.raises(compat.CheckpointLoadError) as error:
        _load_checkpoint(str(path), map_location='cpu')
    message = str(error.value)
    assert message.startswith(str(path)), message
    # nor does the traceback a tool prints (tools/test.py, tools/train.py --resume)
    assert_no_torch_advice(''.join(traceback.format_exception(error.value)))
    return message


def test_truncated_checkpoint_error_names_the_file(tmp_path):
    path = tmp_path / 'epoch_3.pth'
    mmengine_checkpoint(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(compat.CheckpointLoadError,
                       match=f'{re.escape(str(path))} is truncated or corrupt'):
        _load_checkpoint(str(path), map_location='cpu')


def test_truncated_real_checkpoint_is_corrupt_not_refused(tmp_path):
    path = tmp_path / 'epoch_3.pth'
    mmengine_checkpoint(path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # a kill mid-write
    message = load_error(path)
    assert message.startswith(f'{path} is truncated or corrupt (RuntimeError: '
                              'PytorchStreamReader failed reading zip archive'), message
    assert 'refused' not in message and 'allow-list' not in message
    assert message.endswith('; load an earlier checkpoint instead')


def test_random_bytes_are_not_a_torch_checkpoint(tmp_path):
    """Issue 14, item 1: torch 2.14 puts a newline after 'WeightsUnpickler error: ', so the
    reason was empty, and garbage was reported as refused by the allow-list."""
    path = tmp_path / 'random.pth'
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, np.uint8).tobytes())
    message = load_error(path)
    assert re.fullmatch(re.escape(f'{path} is not a torch checkpoint, or is truncated or '
                                  'corrupt (') + r'Unsupported operand \d+\)', message), message


def test_empty_file_is_not_a_torch_checkpoint(tmp_path):
    path = tmp_path / 'empty.pth'
    path.write_bytes(b'')
    assert load_error(path) == f'{path} is empty (0 bytes), not a torch checkpoint'


class RunsACommand:
    """Pickles as a call of ``os.system`` (``posix.system``): the classic malicious pickle.
    Only ever pickled here; the command would do nothing anyway."""

    def __reduce__(self):
        return os.system, ('true', )


def in_torch_archive(path, data_pkl: bytes) -> None:
    """Make ``path`` a valid torch checkpoint (zip) whose object pickle is ``data_pkl``."""
    good = path.with_suffix('.good')
    torch.save(dict(state_dict=dict(w=torch.ones(2))), good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, 'w') as target:
        for item in source.infolist():
            target.writestr(item, data_pkl if item.filename.endswith('/data.pkl')
                            else source.read(item.filename))


@pytest.mark.parametrize('protocol', [2, 4])  # 2: torch.save's; 4: STACK_GLOBAL, a
@pytest.mark.parametrize('container', ['zip', 'legacy'])  # opcode torch's unpickler lacks
def test_malicious_pickle_is_refused_naming_the_global(tmp_path, monkeypatch, protocol,
                                                       container):
    path = tmp_path / 'evil.pth'
    data = pickle.dumps(dict(state_dict={}, hook=RunsACommand()), protocol=protocol)
    assert b'posix' in data and b'system' in data
    if container == 'zip':
        in_torch_archive(path, data)
    else:  # torch's legacy format: a bare pickle stream
        path.write_bytes(data)
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')  # does not switch it off
    message = load_error(path)
    assert message == (f'{path}: refused to load: it holds posix.system, outside the '
                       'allow-list of weights_only loading (posetools never loads a '
                       'checkpoint with weights_only=False)'), message


class OtherPayload:
    """A second foreign class."""


def test_every_refused_global_is_named(tmp_path):
    """The unpickler stops at the first; the message names all of them at once."""
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2)), a=Payload(), b=OtherPayload(),
                    c=argparse.Namespace(lr=0.1)), path)
    message = load_error(path)
    names = re.search(r'it holds (.*), outside', message).group(1).split(', ')
    assert names == sorted(names) and len(names) == 3, message
    assert names[0] == 'argparse.Namespace'
    assert names[1].endswith('test_compat.OtherPayload')
    assert names[2].endswith('test_compat.Payload')


def test_unpickler_reason_without_torchs_context():
    """The reason is read from the text too, should torch stop chaining its original error."""
    for inner in ('Unsupported operand 112',
                  'Trying to load unsupported GLOBAL posix.system whose module posix is '
                  'blocked.'):
        with pytest.raises(pickle.UnpicklingError) as error:
            try:
                raise pickle.UnpicklingError(inner)
            except pickle.UnpicklingError:  # as torch.load wraps it (torch 2.14)
                raise pickle.UnpicklingError(
                    'Weights only load failed. ' + torch.serialization.UNSAFE_MESSAGE
                    + '\nPlease file an issue with the following so that we can make '
                    '`weights_only=True` compatible with your use case: WeightsUnpickler '
                    'error: \n\n' + inner + '\n\nCheck the documentation of torch.load to '
                    'learn more.') from None
        assert compat._unpickler_reason(error.value) == inner
        error.value.__context__ = None
        assert compat._unpickler_reason(error.value) == inner


def test_valid_checkpoint_loads_and_extra_globals_stay_local(tmp_path):
    path = tmp_path / 'official.pth'
    args = argparse.Namespace(lr=0.1, model='vit_b')
    torch.save(dict(model=dict(w=torch.arange(3.)), args=args), path)
    assert 'it holds argparse.Namespace, outside' in load_error(path)
    loaded = compat.load_from_local_weights_only(path, 'cpu',
                                                 extra_safe_globals=[argparse.Namespace])
    assert loaded['args'] == args and torch.equal(loaded['model']['w'], torch.arange(3.))
    assert argparse.Namespace not in torch.serialization.get_safe_globals()
    assert 'it holds argparse.Namespace, outside' in load_error(path)
    with pytest.raises(FileNotFoundError, match='missing.pth can not be found'):
        compat.load_from_local_weights_only(tmp_path / 'missing.pth')


def mmpose_checkpoint(path) -> None:
    """What mmpose 1.x checkpoints hold: mmengine's contents and dataset_meta colours as
    uint8 arrays."""
    colours = np.array([[51, 153, 255], [0, 255, 0]], np.uint8)
    torch.save(dict(meta=dict(dataset_meta=dict(keypoint_colors=colours, num_keypoints=17)),
                    state_dict=dict(w=torch.ones(2))), path)


def test_mmpose_checkpoint_needs_uint8_allowed(tmp_path, no_safe_globals):
    path = tmp_path / 'pose.pth'
    mmpose_checkpoint(path)
    compat.allow_mmengine_checkpoint_globals()
    with pytest.raises(compat.CheckpointLoadError, match='UInt8DType|uint8'):
        compat.load_from_local_weights_only(path)
    compat.allow_mmpose_checkpoint_globals()
    checkpoint = compat.load_from_local_weights_only(path)
    colours = checkpoint['meta']['dataset_meta']['keypoint_colors']
    assert colours.dtype == np.uint8 and colours.tolist() == [[51, 153, 255], [0, 255, 0]]
    # exactly the uint8 scalar type and its dtype class, and applied on import posetools
    assert compat.mmpose_checkpoint_globals() == [np.uint8, type(np.dtype(np.uint8))]
    assert set(compat.mmpose_checkpoint_globals()) <= set(no_safe_globals)


def test_init_cpu_distributed_is_a_no_op_without_launcher():
    assert compat.init_cpu_distributed('none') is False
    with pytest.raises(ValueError, match="'mpi' is not supported on CPU"):
        compat.init_cpu_distributed('mpi')


def test_mmcv_lite_ops_warning_is_ignored_and_only_it():
    warned = 'Fail to import ``MultiScaleDeformableAttention``'
    assert warned in run_python('import mmcv.cnn.bricks.transformer').stderr
    proc = run_python('import warnings\n'
                      'import posetools, mmcv.cnn.bricks.transformer\n'
                      "warnings.warn('Fail to import ``MultiScaleDeformableAttention`` (mine)')")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(warned) == 1 and '(mine)' in proc.stderr  # another module's stays
