# slowonly_r50_ntu60_xsub.py with the heatmap volumes drawn in batch on the training device
# (posetools.HeatmapDataPreprocessor): data-loader workers only decode and augment keypoints.
# Same volumes; validation also uses the flipped volumes (val and test share the preprocessor).
_base_ = ['./slowonly_r50_ntu60_xsub.py']
from posetools.structures import skeletons  # below _base_, or mmengine reads a lazy config

left_kp = list(skeletons.COCO17_LEFT)
right_kp = list(skeletons.COCO17_RIGHT)

model = dict(
    data_preprocessor=dict(
        _delete_=True, type='HeatmapDataPreprocessor', sigma=0.6, use_score=True, with_kp=True,
        with_limb=False, double=True, left_kp=left_kp, right_kp=right_kp))

train_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='mmaction.Resize', scale=(56, 56), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5, left_kp=left_kp, right_kp=right_kp),
    dict(type='FormatKeypointClips'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    dict(type='FormatKeypointClips'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=10, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    dict(type='FormatKeypointClips'),
    dict(type='mmaction.PackActionInputs'),
]
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
