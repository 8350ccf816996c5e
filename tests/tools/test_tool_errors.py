"""A missing config or checkpoint, or an unreadable checkpoint, ends train.py and test.py with
one line that names the file, not a traceback."""
from tests.helpers import run_tool

CONFIG = 'configs/skeleton_transformer/stt_synth.py'


def assert_one_line_error(proc, start: str) -> None:
    """The tool exited 1 and its stderr is one line that begins with ``start``."""
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), proc.stderr


def test_missing_config():
    proc = run_tool(['tools/train.py', 'configs/dmae/does_not_exist.py'], expect_ok=False)
    assert_one_line_error(
        proc, 'train.py: error: configs/dmae/does_not_exist.py: no such config file')
    proc = run_tool(['tools/test.py', 'configs/dmae/does_not_exist.py', 'x.pth'],
                    expect_ok=False)
    assert_one_line_error(
        proc, 'test.py: error: configs/dmae/does_not_exist.py: no such config file')


def test_missing_checkpoint(tmp_path):
    proc = run_tool(['tools/test.py', CONFIG, tmp_path / 'missing.pth'], expect_ok=False)
    assert_one_line_error(proc, f'test.py: error: {tmp_path}/missing.pth: no such checkpoint')


def test_unreadable_checkpoint(tmp_path, skeleton3d_pkl):
    checkpoint = tmp_path / 'garbage.pth'
    checkpoint.write_text('not a checkpoint')
    proc = run_tool(['tools/test.py', CONFIG, checkpoint, '--work-dir', tmp_path,
                     '--cfg-options', f'test_dataloader.dataset.ann_file={skeleton3d_pkl}'],
                    expect_ok=False)
    assert_one_line_error(
        proc, f'test.py: error: {checkpoint} is not a torch checkpoint, or is truncated or '
        'corrupt')
