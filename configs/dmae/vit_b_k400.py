# Directed MAE ViT-B pretraining on Kinetics-400: configs/mae/vit_b_k400.py (the same ViT-B,
# decoder, 800-epoch schedule and parameter count, so the two compare) with masking directed by
# the people. Besides the videos it reads their poses, a 2D skeleton pkl keyed by frame_dir
# (the video's path in the list without extension, or its basename):
#   data/kinetics400/k400_poses.pkl   (tools/data/extract_pose.py, or any pkl in the mmaction2 /
#                                      pyskl format with keypoint inside; see DESIGN.md)
# Boxes come from the pkl's person_box, else from the keypoints. Videos without a pose entry,
# or with zero persons, are counted at start-up and masked at random (fallback). The people are
# kept visible (mode='keep_salient'), which beat masking them after 15 epochs on SynthAction
# (configs/dmae/README.md); it is untested on Kinetics.
_base_ = ['../mae/vit_b_k400.py']

work_dir = 'work_dirs/dmae_vit_b_k400'  # apart from configs/mae/'s work_dirs/vit_b_k400

num_frames = 16
img_size = 224
data_root = 'data/kinetics400'

model = dict(masker=dict(
    _delete_=True, type='DirectedMasker', mask_ratio=0.9, alpha=0.8, mode='keep_salient',
    fallback='random'))

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='mmaction.SampleFrames', clip_len=num_frames, frame_interval=4, num_clips=1),
    dict(type='mmaction.DecordDecode'),
    dict(type='LoadClipPoses'),
    dict(type='mmaction.Resize', scale=(-1, 256)),
    dict(type='mmaction.MultiScaleCrop', input_size=img_size, scales=(1, .875, .75, .66),
         random_crop=False, max_wh_scale_gap=1),
    dict(type='mmaction.Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='PoseSaliency', patch_size=16, tubelet_size=2),
    dict(type='mmaction.FormatShape', input_format='NCTHW'),
    dict(type='mmaction.PackActionInputs', meta_keys=('img_shape', 'saliency')),
]
train_dataloader = dict(dataset=dict(
    type='PoseVideoDataset', pose_file=f'{data_root}/k400_poses.pkl', pipeline=train_pipeline))
