"""ValidatedPoseDataset loads what mmaction's PoseDataset loads and names bad samples."""
import mmengine
import numpy as np
import pytest
from mmaction.datasets import PoseDataset

from posetools.datasets import AnnotationError, ValidatedPoseDataset
from tests.helpers import write_skeleton_pkl

PIPELINE = [
    dict(type='mmaction.PreNormalize3D'),
    dict(type='mmaction.UniformSampleFrames', clip_len=16),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.FormatGCNInput', num_person=2),
    dict(type='mmaction.PackActionInputs'),
]


def corrupt(src, dst, sample_index, **changes):
    """Copy an annotation file with some fields of one sample replaced (None removes)."""
    content = mmengine.load(str(src))
    sample = content['annotations'][sample_index]
    for key, value in changes.items():
        if value is None:
            sample.pop(key)
        else:
            sample[key] = value
    mmengine.dump(content, str(dst))
    return dst, sample['frame_dir']


def load(path, **kwargs):
    return ValidatedPoseDataset(str(path), PIPELINE, split='xsub_train', num_classes=4,
                                num_joints=25, **kwargs)


def test_same_samples_as_mmaction_pose_dataset(skeleton3d_pkl):
    ours = load(skeleton3d_pkl)
    theirs = PoseDataset(str(skeleton3d_pkl), [], split='xsub_train')
    assert len(ours) == len(theirs) == 6
    for index in range(len(ours)):
        mine, reference = ours.get_data_info(index), theirs.get_data_info(index)
        assert mine['frame_dir'] == reference['frame_dir']
        np.testing.assert_array_equal(mine['keypoint'], reference['keypoint'])


def test_samples_go_through_mmaction_skeleton_pipeline(skeleton3d_pkl):
    sample = load(skeleton3d_pkl)[0]
    assert tuple(sample['inputs'].shape) == (1, 2, 16, 25, 3)  # (clips, M, T, V, C)


@pytest.mark.parametrize('changes, message', [
    (dict(keypoint=None), r"missing keys \['keypoint'\]"),
    (dict(label=7), r'label 7 is outside \[0, 4\)'),
    (dict(label=-1), r'label -1 is outside'),
    (dict(label='wave'), 'label must be an int'),
    (dict(total_frames=999), 'total_frames=999 but keypoint has'),
    (dict(keypoint=np.zeros((1, 30, 17, 3), np.float32), total_frames=30),
     'keypoint has 17 joints but the config expects num_joints=25'),
    (dict(keypoint=np.zeros((30, 25, 3), np.float32)), r'keypoint must have shape \(M>=1'),
])
def test_bad_samples_are_named(tmp_path, skeleton3d_pkl, changes, message):
    path, name = corrupt(skeleton3d_pkl, tmp_path / 'bad.pkl', 2, **changes)
    with pytest.raises(AnnotationError, match=message) as error:
        load(path)
    assert str(path) in str(error.value)
    assert f"sample '{name}' (index 2)" in str(error.value)


def test_nan_keypoints_are_located(tmp_path, skeleton3d_pkl):
    keypoint = mmengine.load(str(skeleton3d_pkl))['annotations'][1]['keypoint'].copy()
    keypoint[0, 4, 11, 2] = np.nan
    path, name = corrupt(skeleton3d_pkl, tmp_path / 'nan.pkl', 1, keypoint=keypoint)
    with pytest.raises(AnnotationError, match=r'NaN/inf values, first at .*=\(0, 4, 11, 2\)'):
        load(path)


def test_file_level_errors(tmp_path, skeleton3d_pkl):
    with pytest.raises(FileNotFoundError, match='missing.pkl: annotation file not found'):
        load(tmp_path / 'missing.pkl')
    with pytest.raises(AnnotationError, match="split 'xview_train' not found; available"):
        ValidatedPoseDataset(str(skeleton3d_pkl), PIPELINE, split='xview_train')
    mmengine.dump(dict(samples=[]), str(tmp_path / 'wrong.pkl'))
    with pytest.raises(AnnotationError, match="expected a dict with 'annotations'"):
        load(tmp_path / 'wrong.pkl')
    mmengine.dump(mmengine.load(str(skeleton3d_pkl))['annotations'], str(tmp_path / 'list.pkl'))
    with pytest.raises(AnnotationError, match='bare list'):
        load(tmp_path / 'list.pkl')
    assert len(ValidatedPoseDataset(str(tmp_path / 'list.pkl'), PIPELINE)) == 8


def test_two_dimensional_scores_must_match(tmp_path):
    path = write_skeleton_pkl(tmp_path / 'coco.pkl', joints=17, channels=2)
    assert len(ValidatedPoseDataset(str(path), [], split='xsub_train', num_joints=17)) == 6
    bad, name = corrupt(path, tmp_path / 'bad.pkl', 0, keypoint_score=np.ones((1, 3, 17)))
    with pytest.raises(AnnotationError, match=r'keypoint_score has shape \(1, 3, 17\)'):
        ValidatedPoseDataset(str(bad), [], split='xsub_train', num_joints=17)


def coco2d_keypoints(path, index):
    """(keypoint, keypoint_score) copies of one sample of a 2D file."""
    sample = mmengine.load(str(path))['annotations'][index]
    return sample['keypoint'].copy(), sample['keypoint_score'].copy()


def test_bad_two_dimensional_samples_are_named(tmp_path):
    path = write_skeleton_pkl(tmp_path / 'coco.pkl', joints=17, channels=2)
    keypoint, score = coco2d_keypoints(path, 1)  # sample 1 has two persons
    nan = keypoint.copy()
    nan[1, 3, 16, 0] = np.nan
    scored_padding = keypoint.copy()
    scored_padding[1] = 0
    cases = [
        (dict(keypoint=np.zeros((2, 30, 18, 2), np.float32), total_frames=30),
         'keypoint has 18 joints but the config expects num_joints=17'),
        (dict(total_frames=len(keypoint[0]) + 1), 'total_frames=.* but keypoint has'),
        (dict(keypoint=nan), r'NaN/inf values, first at .*=\(1, 3, 16, 0\)'),
        (dict(keypoint=np.zeros_like(keypoint)), 'all zero for every person'),
        (dict(keypoint=scored_padding), 'person 1 has all-zero keypoints .* non-zero'),
    ]
    for changes, message in cases:
        bad, name = corrupt(path, tmp_path / 'bad.pkl', 1, **changes)
        with pytest.raises(AnnotationError, match=message) as error:
            ValidatedPoseDataset(str(bad), [], split='xsub_train', num_joints=17)
        assert f"{bad}: sample '{name}' (index 1)" in str(error.value)


def test_zero_scored_padding_person_draws_no_heatmap(tmp_path):
    """A padded (all-zero, score 0) person is accepted and adds nothing to the volumes."""
    path = write_skeleton_pkl(tmp_path / 'coco.pkl', joints=17, channels=2)
    keypoint, score = coco2d_keypoints(path, 1)
    keypoint[1], score[1] = 0, 0
    padded, _ = corrupt(path, tmp_path / 'padded.pkl', 1, keypoint=keypoint,
                        keypoint_score=score)
    single, _ = corrupt(path, tmp_path / 'single.pkl', 1, keypoint=keypoint[:1],
                        keypoint_score=score[:1])
    pipeline = [
        dict(type='mmaction.UniformSampleFrames', clip_len=8, test_mode=True),
        dict(type='mmaction.PoseDecode'),
        dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
        dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
        dict(type='posetools.GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True),
        dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
        dict(type='mmaction.PackActionInputs'),
    ]
    volumes = [
        ValidatedPoseDataset(str(file), pipeline, split='xsub_train', num_joints=17,
                             test_mode=True)[1]['inputs'] for file in (padded, single)]
    assert volumes[0].shape == (1, 17, 8, 32, 32)
    assert volumes[0].abs().sum() > 0
    np.testing.assert_array_equal(volumes[0].numpy(), volumes[1].numpy())
