"""get_flops.py agrees with the PoseConv3D paper's model size for the NTU joint config."""
from tests.helpers import run_tool

CONFIG = 'configs/posec3d/slowonly_r50_ntu60_xsub.py'


def test_posec3d_ntu_joint_matches_paper():
    """PoseC3D (arXiv 2104.13586): 2.0M parameters, 20.6 GFLOPs for one 17x48x64x64 clip."""
    test_clip = run_tool(['tools/analysis/get_flops.py', CONFIG, '--shape', '17', '48', '64', '64'])
    assert '20.605G FLOPs' in test_clip.stdout
    assert '(2,024,860)' in test_clip.stdout
    train_clip = run_tool(['tools/analysis/get_flops.py', CONFIG, '--shape', '17', '48', '56', '56'])
    assert '15.776G FLOPs' in train_clip.stdout
