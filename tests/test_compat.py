"""Each upstream workaround in posetools.compat is needed and works."""
import pickle
import re
import subprocess
import sys

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


def test_weights_only_load_of_mmengine_checkpoint_needs_allow_list(tmp_path):
    path = tmp_path / 'ckpt.pth'
    mmengine_checkpoint(path)
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
            torch.load(path, weights_only=True)
        compat.allow_mmengine_checkpoint_globals()
        checkpoint = torch.load(path, weights_only=True)
    finally:
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(saved)
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


def test_truncated_checkpoint_error_names_the_file(tmp_path):
    path = tmp_path / 'epoch_3.pth'
    mmengine_checkpoint(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(compat.CheckpointLoadError,
                       match=f'{re.escape(str(path))} is truncated or corrupt'):
        _load_checkpoint(str(path), map_location='cpu')


def test_cpu_ddp_wrapper_drops_device_ids_for_cpu_modules(monkeypatch):
    captured = {}

    def fake_ddp_init(self, module, device_ids=None, **kwargs):
        captured['device_ids'] = device_ids
        torch.nn.Module.__init__(self)

    monkeypatch.setattr(compat.MMDistributedDataParallel, '__init__', fake_ddp_init)
    compat.CPUDistributedDataParallel(torch.nn.Linear(2, 2), device_ids=[0])
    assert captured['device_ids'] is None


def test_init_cpu_distributed_is_a_no_op_without_launcher():
    assert compat.init_cpu_distributed('none') is False
    with pytest.raises(ValueError, match="'mpi' is not supported on CPU"):
        compat.init_cpu_distributed('mpi')
