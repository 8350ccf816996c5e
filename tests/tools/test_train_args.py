"""tools/train.py turns its command line into the config the Runner gets."""
import importlib.util

import pytest
import torch

from tests.helpers import REPO_ROOT

CONFIG = str(REPO_ROOT / 'configs/skeleton_transformer/stt_synth.py')


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(f'tool_{name}', REPO_ROOT / 'tools' / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train = load_tool('train.py')


def config_for(monkeypatch, *argv):
    monkeypatch.setattr('sys.argv', ['train.py', CONFIG, *argv])
    args = train.parse_args()
    return train.merge_args(train.load_config(args), args)


def test_defaults(monkeypatch):
    cfg = config_for(monkeypatch)
    assert cfg.work_dir == 'work_dirs/stt_synth'
    assert cfg.randomness == dict(seed=None)
    assert not cfg.get('resume', False)


def test_options_reach_the_config(monkeypatch, tmp_path):
    checkpoint = tmp_path / 'epoch_3.pth'
    checkpoint.touch()
    cfg = config_for(monkeypatch, '--work-dir', str(tmp_path), '--seed', '5', '--deterministic',
                     '--no-validate', '--auto-scale-lr', '--resume', str(checkpoint),
                     '--cfg-options', 'train_cfg.max_epochs=2')
    assert cfg.work_dir == str(tmp_path)
    assert cfg.randomness == dict(seed=5, deterministic=True)
    assert cfg.val_dataloader is None and cfg.val_cfg is None and cfg.val_evaluator is None
    assert cfg.auto_scale_lr.enable is True
    assert cfg.resume is True and cfg.load_from == str(checkpoint)
    assert cfg.train_cfg.max_epochs == 2


def test_seed_from_cfg_options_and_flag(monkeypatch):
    cfg = config_for(monkeypatch, '--cfg-options', 'randomness.seed=3')
    assert cfg.randomness == dict(seed=3)
    cfg = config_for(monkeypatch, '--seed', '4', '--cfg-options', 'randomness.seed=3')
    assert cfg.randomness == dict(seed=4)


def test_resume_auto_looks_in_the_work_dir(monkeypatch):
    cfg = config_for(monkeypatch, '--resume')
    assert cfg.resume is True and cfg.load_from is None


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the CPU-only message')
def test_amp_without_gpu_is_refused_clearly(monkeypatch):
    with pytest.raises(ValueError, match='--amp needs a CUDA GPU'):
        config_for(monkeypatch, '--amp')


def test_checkpoint_interval_iters_reaches_the_checkpoint_hook(monkeypatch):
    cfg = config_for(monkeypatch, '--checkpoint-interval-iters', '50')
    assert cfg.default_hooks.checkpoint.interval_iters == 50
    with pytest.raises(ValueError, match="needs default_hooks.checkpoint.type='AtomicCheck"):
        config_for(monkeypatch, '--checkpoint-interval-iters', '50', '--cfg-options',
                   'default_hooks.checkpoint.type=CheckpointHook')


def test_resume_from_missing_path_fails_clearly(monkeypatch, tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pth: no such checkpoint'):
        config_for(monkeypatch, '--resume', str(tmp_path / 'nope.pth'))


def test_latest_checkpoint_is_the_one_last_checkpoint_names(tmp_path):
    assert train.latest_checkpoint(str(tmp_path)) is None  # nothing yet: start fresh
    (tmp_path / 'epoch_1.pth').touch()
    with pytest.raises(FileNotFoundError, match='holds epoch_1.pth but no last_checkpoint'):
        train.latest_checkpoint(str(tmp_path))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    with pytest.raises(FileNotFoundError, match="names '.*epoch_2.pth', which does not exist"):
        train.latest_checkpoint(str(tmp_path))
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_1.pth'))
    assert train.latest_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_1.pth')
