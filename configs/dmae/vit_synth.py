# Directed MAE pretraining on SynthAction's videos: configs/mae/vit_synth.py (the same ViT,
# decoder, schedule and data) with masking directed by the people. The pipeline pairs every
# clip with its person boxes and keypoints (data/synth_video/synth_videos.pkl, written by
#   python tools/data/gen_synth.py --videos --num-samples 4800 --out-dir data/synth_video),
# moves them with the crop and resize, and rasterises them onto the 4 x 8 x 8 token grid as the
# saliency that DirectedMasker reads. It keeps the people visible (mode='keep_salient'): after
# this config's 15 epochs that fine-tunes to 52.5% with 10% of the labels, against 40.0% when
# the people are masked preferentially ('mask_salient'); alpha = 0 is random masking.
# tools/analysis/masker_study.py runs this config with each masker in turn (tube, random,
# directed both ways, motion) and compares them (configs/dmae/README.md).
_base_ = ['../mae/vit_synth.py']

work_dir = 'work_dirs/dmae_vit_synth'  # apart from configs/mae/'s work_dirs/vit_synth

num_frames = 8
img_size = 64
patch_size = 8
data_root = 'data/synth_video'

model = dict(masker=dict(
    _delete_=True, type='DirectedMasker', mask_ratio=0.9, alpha=0.8, mode='keep_salient',
    fallback='random'))

train_pipeline = [
    dict(type='VideoInit', min_frames=43),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=6, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='LoadClipPoses'),
    dict(type='mmaction.MultiScaleCrop', input_size=img_size, scales=(1, .875, .75, .66),
         random_crop=False, max_wh_scale_gap=1),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='PoseSaliency', patch_size=patch_size, tubelet_size=2),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs', meta_keys=('img_shape', 'saliency')),
]
train_dataloader = dict(dataset=dict(
    type='PoseVideoDataset', pose_file=f'{data_root}/synth_videos.pkl',
    pipeline=train_pipeline))
# the training step's own mask of a clip, every 2 epochs, in <work_dir>/<run>/vis_data/vis_image/
custom_hooks = [dict(type='RNGStateHook'), dict(type='MaskVisualizationHook', interval=480)]
