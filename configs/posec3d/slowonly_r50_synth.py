# PoseConv3D on SynthAction's COCO-17 2D keypoints (python tools/data/gen_synth.py): the NTU
# recipe's model family (SlowOnly-R50 bottlenecks + I3D head) sized for 2 CPU cores.
_base_ = ['../_base_/default_runtime.py', '../_base_/models/slowonly_r50_posec3d.py']
from posetools.structures import skeletons  # below _base_, or mmengine reads a lazy config

num_classes = 10
clip_len = 16
ann_file = 'data/synth/synth_coco2d.pkl'
left_kp = list(skeletons.COCO17_LEFT)
right_kp = list(skeletons.COCO17_RIGHT)
heatmap = dict(type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=True, with_limb=False)

model = dict(
    backbone=dict(base_channels=8, stage_blocks=(2, 2, 2)),
    cls_head=dict(in_channels=128, num_classes=num_classes, dropout_ratio=0.0))

train_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5, left_kp=left_kp, right_kp=right_kp),
    heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len, num_clips=2, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(32, 32), keep_ratio=False),
    dict(**heatmap, double=True, left_kp=left_kp, right_kp=right_kp),
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]

dataset = dict(
    type='ValidatedPoseDataset', ann_file=ann_file, num_classes=num_classes, num_joints=17)
loader = dict(num_workers=0, persistent_workers=False)  # fastest on 2 cores; exact --resume
train_dataloader = dict(
    **loader,
    batch_size=16,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**dataset, split='xsub_train', pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    batch_size=32,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    **loader,
    batch_size=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=test_pipeline, test_mode=True))

val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

max_epochs = 20
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs - 1, by_epoch=True, begin=1,
         end=max_epochs, convert_to_iter_based=True),
]
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=0.002, weight_decay=0.01),
    clip_grad=dict(max_norm=40, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=16)
default_hooks = dict(logger=dict(interval=20))
