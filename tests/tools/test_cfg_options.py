"""--cfg-options keys that nothing reads are refused (top level) or flagged (nested typos)."""
import inspect

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from posetools.utils.config_options import (ConfigOptionError, check_cfg_options,
                                            find_option_problems, runner_config_keys)
from tests.helpers import REPO_ROOT, run_tool

CONFIG = 'configs/skeleton_transformer/stt_synth.py'


@pytest.fixture(scope='module')
def cfg() -> Config:
    return Config.fromfile(str(REPO_ROOT / CONFIG))


def test_runner_keys_come_from_the_runner():
    keys = runner_config_keys()
    assert set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'} <= keys
    # read by Runner methods from the config, not parameters of __init__
    assert {'model_wrapper_cfg', 'compile', 'find_unused_parameters', '_base_'} <= keys


def test_unknown_top_level_key_is_an_error_with_a_suggestion(cfg):
    errors, warnings = find_option_problems(cfg, {'load_form': 'x.pth', 'no_such_thing': 1})
    assert warnings == []
    assert len(errors) == 2
    assert "'load_form'" in errors[0] and 'did you mean load_from?' in errors[0]
    assert "'no_such_thing'" in errors[1] and 'did you mean' not in errors[1]
    with pytest.raises(ConfigOptionError, match='did you mean load_from'):
        check_cfg_options(cfg, {'load_form': 'x.pth'})


@pytest.mark.parametrize('option', [
    'load_from',                      # a Runner key the config has
    'compile',                        # a Runner key the config lacks
    'compile.backend',                # ... and below it: nothing to compare with
    'randomness.seed',
    'train_cfg.max_epochs',
    'param_scheduler.1.eta_min',      # through a list
    'train_dataloader.dataset.pipeline.3.clip_len',
    'model.backbone.attn_drop_rate',  # a new constructor argument, not a typo of drop_rate
    'vis_backends',                   # a key only the config has
])
def test_known_and_new_keys_pass(cfg, option):
    assert find_option_problems(cfg, {option: 1}) == ([], [])


@pytest.mark.parametrize('option, parent, suggestion', [
    ('train_cfg.max_epoch', 'train_cfg', 'train_cfg.max_epochs'),
    ('model.backbone.num_head', 'model.backbone', 'model.backbone.num_heads'),
    ('param_scheduler.0.ende', 'param_scheduler.0', 'param_scheduler.0.end'),
])
def test_nested_typo_is_a_warning_with_a_suggestion(cfg, option, parent, suggestion):
    errors, warnings = find_option_problems(cfg, {option: 3})
    assert errors == []
    assert warnings == [f'--cfg-options {option}: {parent} has no key '
                        f"'{option.rsplit('.', 1)[1]}' (did you mean {suggestion}?); "
                        'it is added as a new key']


@pytest.mark.parametrize('tool, extra', [('train.py', []), ('test.py', ['missing.pth'])])
def test_tools_refuse_a_typo_in_one_line(tool, extra):
    proc = run_tool([f'tools/{tool}', CONFIG, *extra, '--cfg-options',
                     'train_cfg.max_epoch=3', 'load_form=work_dirs/x.pth'], expect_ok=False)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"{tool}: error: --cfg-options load_form: neither the config nor the mmengine Runner "
        "knows the key 'load_form' (did you mean load_from?)"]
    assert 'WARNING - --cfg-options train_cfg.max_epoch: ' in proc.stdout
    assert 'did you mean train_cfg.max_epochs?' in proc.stdout
