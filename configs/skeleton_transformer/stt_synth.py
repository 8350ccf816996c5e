# Skeleton transformer on SynthAction 3D (python tools/data/gen_synth.py): a CPU-sized
# twin of stt_ntu60_xsub.py that trains in a few minutes on 2 cores.
_base_ = ['../_base_/default_runtime.py', '../_base_/models/stt.py']

num_classes = 10
clip_len = 32
ann_file = 'data/synth/synth_ntu3d.pkl'

model = dict(
    # frame tokens (one per 2 frames) keep this CPU-sized; NTU uses joint tokens
    backbone=dict(
        num_frames=clip_len, token_mode='frame', temporal_patch_size=2, embed_dims=128,
        depth=4, num_heads=4, drop_path_rate=0.1),
    cls_head=dict(num_classes=num_classes, in_channels=128, dropout=0.1))

# posetools' PreNormalize3D: mmaction2's arrays bit for bit, several times faster
train_pipeline = [
    dict(type='PreNormalize3D'),
    dict(type='RandomRotate3D', max_angle=0.3),
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
    dict(type='mmaction.UniformSampleFrames', clip_len=clip_len, num_clips=5, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.FormatGCNInput', num_person=2),
    dict(type='mmaction.PackActionInputs'),
]

dataset = dict(
    type='ValidatedPoseDataset', ann_file=ann_file, num_classes=num_classes, num_joints=25)
# On 2 CPU cores loading in the main process is fastest (a worker competes with torch's
# threads); it also keeps --resume exact (RNGStateHook restores the main process's state).
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader,
    batch_size=64,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**dataset, split='xsub_train', pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    batch_size=64,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    **loader,
    batch_size=32,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, split='xsub_val', pipeline=test_pipeline, test_mode=True))

val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

max_epochs = 40
warmup_epochs = 2
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - warmup_epochs, eta_min=1e-5,
         by_epoch=True, begin=warmup_epochs, end=max_epochs, convert_to_iter_based=True),
]
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=3e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0., bias_decay_mult=0., custom_keys={'pos_embed': dict(decay_mult=0.)}),
    clip_grad=dict(max_norm=1.0))
auto_scale_lr = dict(enable=False, base_batch_size=64)
default_hooks = dict(logger=dict(interval=10))
