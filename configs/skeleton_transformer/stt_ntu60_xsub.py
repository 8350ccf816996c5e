# Skeleton transformer, NTU RGB+D 60 cross-subject, 3D joints.
# Data: tools/data/ntu_raw_to_pkl.py data/nturgbd/nturgb+d_skeletons data/nturgbd/ntu60_3d.pkl
_base_ = ['../_base_/default_runtime.py', '../_base_/models/stt.py']

num_classes = 60
clip_len = 100
ann_file = 'data/nturgbd/ntu60_3d.pkl'

model = dict(
    backbone=dict(num_frames=clip_len),
    cls_head=dict(num_classes=num_classes))


# posetools' PreNormalize3D: mmaction2's arrays bit for bit, several times faster
train_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.FormatGCNInput', num_person=2),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.FormatGCNInput', num_person=2),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='mmaction.GenSkeFeat', dataset='nturgb+d', feats=['j']),
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len, num_clips=10, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.FormatGCNInput', num_person=2),
    dict(type='mmaction.PackActionInputs'),
]

dataset = dict(
    type='ValidatedPoseDataset', ann_file=ann_file, num_classes=num_classes, num_joints=25)
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=False,  # reseeded each epoch: keeps --resume exact
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**dataset, split='xsub_train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=False,  # reseeded each epoch: keeps --resume exact
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=False,  # reseeded each epoch: keeps --resume exact
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=test_pipeline, test_mode=True))

val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

max_epochs = 100
warmup_epochs = 5
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, eta_min=1e-6,
         by_epoch=True, begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
# AdamW; no weight decay on norms, biases and position tables (only on >=2-D weights).
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0., bias_decay_mult=0., custom_keys={'pos_embed': dict(decay_mult=0.)}),
    clip_grad=dict(max_norm=1.0))
# lr above is for 2 GPUs x 64 clips; --auto-scale-lr rescales it to the real batch size.
auto_scale_lr = dict(enable=False, base_batch_size=128)
