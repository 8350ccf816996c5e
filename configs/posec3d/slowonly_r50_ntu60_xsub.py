# PoseConv3D (joint heatmaps), NTU RGB+D 60 cross-subject, 2D COCO-17 keypoints: mmaction2's
# slowonly_r50_8xb16-u48-240e_ntu60-xsub-keypoint with posetools' exact, faster heatmaps.
_base_ = ['../_base_/default_runtime.py', '../_base_/models/slowonly_r50_posec3d.py']
from posetools.structures import skeletons  # below _base_, or mmengine reads a lazy config

num_classes = 60
ann_file = 'data/nturgbd/ntu60_2d.pkl'
left_kp = list(skeletons.COCO17_LEFT)
right_kp = list(skeletons.COCO17_RIGHT)
heatmap = dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True, with_limb=False)

model = dict(cls_head=dict(num_classes=num_classes))

train_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='mmaction.Resize', scale=(56, 56), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5, left_kp=left_kp, right_kp=right_kp),
    heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=10, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    dict(**heatmap, double=True, left_kp=left_kp, right_kp=right_kp),
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]

dataset = dict(
    type='ValidatedPoseDataset', ann_file=ann_file, num_classes=num_classes, num_joints=17)
loader = dict(num_workers=8, persistent_workers=False)  # reseeded each epoch: exact --resume
train_dataloader = dict(
    **loader,
    batch_size=16,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RepeatDataset',
        times=10,
        dataset=dict(**dataset, split='xsub_train', pipeline=train_pipeline)))
val_dataloader = dict(
    **loader,
    batch_size=16,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    **loader,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=test_pipeline, test_mode=True))

val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=24, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=24, by_epoch=True, convert_to_iter_based=True)
]
# lr 0.2 is for 8 GPUs x 16 clips; --auto-scale-lr rescales it to the real batch size.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=0.0003),
    clip_grad=dict(max_norm=40, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=128)
