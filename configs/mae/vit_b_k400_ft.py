# VideoMAE ViT-B fine-tuning on Kinetics-400 from a vit_b_k400.py checkpoint: layer-wise lr
# decay 0.75, drop path 0.1, mixup 0.8 / cutmix 1.0, label smoothing 0.1, RandAugment,
# random erasing 0.25, 75 epochs; 5 clips x 3 crops at test time.
_base_ = ['../_base_/default_runtime.py']

num_frames = 16
img_size = 224
num_classes = 400
pretrained = 'work_dirs/vit_b_k400/epoch_800.pth'  # or a converted official checkpoint

model = dict(
    type='mmaction.Recognizer3D',
    data_preprocessor=dict(
        type='mmaction.ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW',
        blending=dict(
            type='mmaction.RandomBatchAugment',
            augments=[
                dict(type='mmaction.MixupBlending', alpha=0.8, num_classes=num_classes),
                dict(type='mmaction.CutmixBlending', alpha=1., num_classes=num_classes),
            ])),
    backbone=dict(
        type='VideoViT', img_size=img_size, patch_size=16, tubelet_size=2,
        num_frames=num_frames, embed_dims=768, depth=12, num_heads=12, drop_path_rate=0.1,
        out_type='avg',
        init_cfg=dict(type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    cls_head=dict(
        type='mmaction.TimeSformerHead', num_classes=num_classes, in_channels=768,
        label_smooth_eps=0.1, average_clips='prob',
        loss_cls=dict(type='mmaction.CrossEntropyLoss')))

data_root = 'data/kinetics400'
dataset = dict(type='RobustVideoDataset', num_classes=num_classes)
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=4, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, 256)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.08, 1.),
         aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5),
    # torchvision's RandAugment, one op sequence per clip (VideoMAE: timm rand-m7-n4-mstd0.5)
    dict(type='mmaction.TorchVisionWrapper', op='RandAugment', num_ops=4, magnitude=7),
    dict(type='mmaction.RandomErasing', erase_prob=0.25, mode='rand'),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=4, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, img_size)),
    dict(type='mmaction.CenterCrop', crop_size=img_size),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=4, num_clips=5,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, img_size)),
    dict(type='mmaction.ThreeCrop', crop_size=img_size),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
loader = dict(num_workers=8, persistent_workers=False)  # reseeded each epoch: exact --resume
train_dataloader = dict(
    **loader,
    batch_size=8,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**dataset, ann_file=f'{data_root}/kinetics400_train_list_videos.txt',
                 data_prefix=dict(video=f'{data_root}/videos_train'), pipeline=train_pipeline))
val_dataloader = dict(
    **loader,
    batch_size=8,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, ann_file=f'{data_root}/kinetics400_val_list_videos.txt',
                 data_prefix=dict(video=f'{data_root}/videos_val'), pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = dict(
    **loader,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**dataset, ann_file=f'{data_root}/kinetics400_val_list_videos.txt',
                 data_prefix=dict(video=f'{data_root}/videos_val'), pipeline=test_pipeline,
                 test_mode=True))
val_evaluator = [dict(type='mmaction.AccMetric')]
test_evaluator = val_evaluator

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=75, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

# lr 1e-3 per 256 clips; --auto-scale-lr rescales it to the real total batch size
optim_wrapper = dict(
    constructor='LayerDecayOptimWrapperConstructor',
    optimizer=dict(type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(decay_rate=0.75))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=70, eta_min=1e-6, by_epoch=True, begin=5, end=75,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=256)
