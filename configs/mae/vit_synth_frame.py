# The one-frame baseline of vit_synth_scratch.py: the same ViT (2-D 8 x 8 patches, tubelet 1) sees
# one frame of each clip (a random one in training, the middle one in testing), so it can use
# the pose in a frame but not the motion. tools/analysis/pretrain_protocol.py trains it next to
# the video model to show how much of SynthAction needs motion.
_base_ = ['./vit_synth_scratch.py']

img_size = 64
model = dict(backbone=dict(num_frames=1, tubelet_size=1, init_cfg=None))
train_pipeline = [
    dict(type='VideoInit', min_frames=1),
    dict(type='mmaction.SampleFrames', clip_len=1, frame_interval=1, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit', min_frames=1),
    dict(type='mmaction.SampleFrames', clip_len=1, frame_interval=1, num_clips=1,
         test_mode=True),
    dict(type='mmaction.DecordDecode'),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
