# PoseConv3D (limb heatmaps): the joint recipe with one heatmap channel per COCO limb, as
# mmaction2's slowonly_r50_8xb16-u48-240e_ntu60-xsub-limb.
_base_ = ['./slowonly_r50_ntu60_xsub.py']

skeletons = [[0, 5], [0, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [11, 13], [13, 15],
             [6, 12], [12, 14], [14, 16], [0, 1], [0, 2], [1, 3], [2, 4], [11, 12]]
left_limb = [0, 2, 3, 6, 7, 8, 12, 14]
right_limb = [1, 4, 5, 9, 10, 11, 13, 15]
limb_heatmap = dict(
    type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=False, with_limb=True,
    skeletons=skeletons)

train_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='mmaction.Resize', scale=(56, 56), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5, left_kp={{_base_.left_kp}},
         right_kp={{_base_.right_kp}}),
    limb_heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    limb_heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=10, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    dict(**limb_heatmap, double=True, left_limb=left_limb, right_limb=right_limb),
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
# The dataloaders hold copies of the base pipelines: point them at these.
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
