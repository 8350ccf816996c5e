# VideoMAE ViT-B pretraining on Kinetics-400 (Tong et al. 2022): 16 frames at rate 4, 224 px,
# tube masking 0.9, 4-block 384-d decoder, per-patch normalised pixel targets, 800 epochs.
_base_ = ['../_base_/default_runtime.py']

num_frames = 16
img_size = 224
num_tokens = (num_frames // 2) * (img_size // 16)**2  # 1568 tubelets of 2 x 16 x 16

model = dict(
    type='VideoMAE',
    data_preprocessor=dict(
        type='mmaction.ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'),
    backbone=dict(
        type='VideoViT', img_size=img_size, patch_size=16, tubelet_size=2,
        num_frames=num_frames, embed_dims=768, depth=12, num_heads=12, out_type='tokens'),
    neck=dict(
        type='MAEDecoder', num_tokens=num_tokens, in_dims=768, embed_dims=384, depth=4,
        num_heads=6, out_dims=2 * 16 * 16 * 3),
    head=dict(type='MAEPixelHead', patch_size=16, tubelet_size=2, norm_pix=True),
    masker=dict(type='TubeMasker', mask_ratio=0.9))

data_root = 'data/kinetics400'
train_pipeline = [
    dict(type='VideoInit'),  # decord, or PyAV when decord cannot open a file
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=4, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(-1, 256)),
    dict(type='mmaction.MultiScaleCrop', input_size=img_size, scales=(1, .875, .75, .66),
         random_crop=False, max_wh_scale_gap=1),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=False,  # reseeded each epoch: exact --resume
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='RobustVideoDataset',  # skips (and counts) unreadable videos in training
        ann_file=f'{data_root}/kinetics400_train_list_videos.txt',
        data_prefix=dict(video=f'{data_root}/videos_train'),
        pipeline=train_pipeline))

train_cfg = dict(type='ResumableEpochBasedTrainLoop', max_epochs=800)
val_cfg = None
test_cfg = None

# lr 1.5e-4 per 256 clips; --auto-scale-lr rescales it to the real total batch size
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1.5e-4, betas=(0.9, 0.95), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.,
                       custom_keys=dict(mask_token=dict(decay_mult=0.))))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=40,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=760, eta_min=1e-5, by_epoch=True, begin=40, end=800,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=256)
default_hooks = dict(checkpoint=dict(interval=20, save_best=None, max_keep_ckpts=3))
