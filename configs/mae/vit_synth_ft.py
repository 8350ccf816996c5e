# Fine-tuning vit_synth.py's encoder to classify SynthAction's videos (held out: xsub_val,
# unseen performers). From scratch for comparison:
#   --cfg-options model.backbone.init_cfg=None
_base_ = ['../_base_/default_runtime.py']

num_frames = 16
img_size = 64
num_classes = 10
pretrained = 'work_dirs/vit_synth/epoch_20.pth'

model = dict(
    type='mmaction.Recognizer3D',
    data_preprocessor=dict(
        type='mmaction.ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'),
    backbone=dict(
        type='VideoViT', img_size=img_size, patch_size=8, tubelet_size=2, num_frames=num_frames,
        embed_dims=128, depth=4, num_heads=4, drop_path_rate=0.1, out_type='avg',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    cls_head=dict(
        type='mmaction.TimeSformerHead', num_classes=num_classes, in_channels=128,
        label_smooth_eps=0.1, average_clips='prob',
        loss_cls=dict(type='mmaction.CrossEntropyLoss')))

data_root = 'data/synth'
dataset = dict(type='RobustVideoDataset', num_classes=num_classes,
               data_prefix=dict(video=f'{data_root}/videos'))
train_pipeline = [
    dict(type='VideoInit', min_frames=46),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=3, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, img_size)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.5, 1.)),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit', min_frames=46),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=3, num_clips=2,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, img_size)),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
loader = dict(num_workers=0, persistent_workers=False)  # fastest on 2 cores; exact --resume
train_dataloader = dict(
    **loader,
    batch_size=16,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**dataset, ann_file=f'{data_root}/synth_videos_xsub_train.txt',
                 pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    batch_size=16,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, ann_file=f'{data_root}/synth_videos_xsub_val.txt',
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

max_epochs = 8
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    constructor='LayerDecayOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(decay_rate=0.75))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 2, eta_min=1e-6, by_epoch=True, begin=2,
         end=max_epochs, convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=16)
default_hooks = dict(logger=dict(interval=20))
