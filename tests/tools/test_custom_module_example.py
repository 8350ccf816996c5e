"""The README's "Adding a module" example is the code in projects/ and it trains."""
import os
import re

from tests.helpers import REPO_ROOT, run_tool, write_skeleton_pkl

EXAMPLE = REPO_ROOT / 'projects' / 'example_project'


def readme_example_files() -> dict:
    """Python blocks of the README whose first line names a file under projects/."""
    readme = (REPO_ROOT / 'README.md').read_text()
    blocks = re.findall(r'```python\n# (projects/\S+)\n(.*?)```', readme, flags=re.S)
    return {path: body for path, body in blocks}


def test_readme_shows_the_example_files_verbatim():
    files = readme_example_files()
    assert set(files) == {
        'projects/example_project/my_project/frame_mlp.py',
        'projects/example_project/my_project/__init__.py',
        'projects/example_project/configs/frame_mlp_synth.py',
    }
    for path, body in files.items():
        assert (REPO_ROOT / path).read_text() == body, f'README and {path} differ'


def test_example_trains_and_tests_with_the_custom_backbone(tmp_path):
    ann_file = write_skeleton_pkl(tmp_path / 'ann.pkl', num_samples=8)
    config = 'projects/example_project/configs/frame_mlp_synth.py'
    env = dict(os.environ, PYTHONPATH=f'{EXAMPLE}{os.pathsep}{REPO_ROOT}')
    options = ['--cfg-options', 'train_cfg.max_epochs=1', 'model.cls_head.num_classes=4',
               'default_hooks.checkpoint.save_best=None']
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.dataset.ann_file={ann_file}', f'{loader}.num_workers=0',
                    f'{loader}.dataset.num_classes=4']
    run_tool(['tools/train.py', config, '--work-dir', tmp_path / 'work', *options], env=env)
    log = next((tmp_path / 'work').glob('*/*.log')).read_text()
    assert "type='FrameMLP'" in log
    proc = run_tool(['tools/test.py', config, tmp_path / 'work' / 'epoch_1.pth',
                     '--work-dir', tmp_path / 'work', *options], env=env)
    assert 'acc/top1:' in proc.stdout
