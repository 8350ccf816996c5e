"""Fixtures of the dataset tests: tiny rendered SynthAction videos and captured log lines."""
import logging
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from mmengine.logging import MMLogger

from posetools.datasets.synth import SynthActionGenerator
from posetools.datasets.synth.video import write_video_dataset


@pytest.fixture(scope='session')
def synth_videos(tmp_path_factory) -> Dict[str, str]:
    """8 SynthAction clips of 16-24 frames at 64 x 64 ('pixel' style), as
    ``write_video_dataset`` writes them, plus ``all``: one list of all 8 videos."""
    out_dir = tmp_path_factory.mktemp('synth_videos')
    paths = write_video_dataset(
        SynthActionGenerator(num_samples=8, num_classes=4, min_frames=16, max_frames=24,
                             seed=1), str(out_dir))
    paths['all'] = str(out_dir / 'synth_videos_all.txt')
    Path(paths['all']).write_text(''.join(
        Path(paths[split]).read_text() for split in ('xsub_train', 'xsub_val')))
    return paths


class _Messages(logging.Handler):
    """Keeps the formatted messages it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def log_messages(request) -> Iterator[List[str]]:
    """The messages logged during the test by mmengine's current logger (``print_log(...,
    logger='current')``): a fresh MMLogger is made current for the test."""
    logger = MMLogger.get_instance(f'posetools-test-{request.node.name}')
    handler = _Messages()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)
