"""posetools.pose.native_stderr and the quiet MediaPipe start-up it gives."""
import os
import subprocess
import sys
import textwrap

import pytest

from posetools.pose.mediapipe_backend import STARTUP_NOTICES
from posetools.pose.native_stderr import native_stderr_without


def test_drops_only_the_named_notices_written_to_the_file_descriptor(capfd):
    with native_stderr_without(['boring notice']):
        os.write(2, b'W0000 a boring notice from C++\nE0000 a real problem\n')
        os.write(2, b'another boring notice\n')
    os.write(2, b'after: boring notice\n')  # outside the block: not filtered
    assert capfd.readouterr().err == 'E0000 a real problem\nafter: boring notice\n'


def test_restores_the_file_descriptor_when_the_block_raises(capfd):
    with pytest.raises(KeyError):
        with native_stderr_without(['x']):
            os.write(2, b'kept\n')
            raise KeyError('boom')
    os.write(2, b'then\n')
    assert capfd.readouterr().err == 'kept\nthen\n'


def test_mediapipe_start_up_writes_none_of_its_notices():
    """A fresh process (MediaPipe logs its start-up once per process) finds the person of a
    real photo; without the filter the same run writes six lines of these notices."""
    pytest.importorskip('skimage.data')
    script = textwrap.dedent("""
        import skimage.data
        from posetools.pose import MediaPipePoseLandmarker
        landmarker = MediaPipePoseLandmarker()
        boxes, _ = landmarker.detect(skimage.data.astronaut())
        print(len(boxes))
        landmarker.close()
    """)
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                          timeout=300, check=True)
    assert done.stdout.strip() == '1'
    assert not [line for line in done.stderr.splitlines()
                if any(notice in line for notice in STARTUP_NOTICES)], done.stderr
