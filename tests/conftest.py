"""Shared fixtures."""
from pathlib import Path

import pytest

from tests.helpers import write_skeleton_pkl


@pytest.fixture(scope='session')
def skeleton3d_pkl(tmp_path_factory) -> Path:
    """8 random 3D NTU-25 samples, 4 classes, splits xsub_train (6) / xsub_val (2)."""
    return write_skeleton_pkl(tmp_path_factory.mktemp('ann') / 'ntu3d.pkl')
