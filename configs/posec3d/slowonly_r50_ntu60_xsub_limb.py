# PoseConv3D (limb heatmaps): the joint recipe with one heatmap channel per COCO limb, as
# mmaction2's slowonly_r50_8xb16-u48-240e_ntu60-xsub-limb.
_base_ = ['./slowonly_r50_ntu60_xsub.py']
from posetools.structures import skeletons  # below _base_, or mmengine reads a lazy config

left_kp = list(skeletons.COCO17_LEFT)
right_kp = list(skeletons.COCO17_RIGHT)
# mmaction2's limb recipe orders the limb channels its own way (COCO17_RECIPE_LIMBS)
left_limb = list(skeletons.COCO17_RECIPE_LEFT_LIMBS)
right_limb = list(skeletons.COCO17_RECIPE_RIGHT_LIMBS)
limb_heatmap = dict(
    type='GeneratePoseTarget', sigma=0.6, use_score=True, with_kp=False, with_limb=True,
    skeletons=[list(limb) for limb in skeletons.COCO17_RECIPE_LIMBS])

train_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.RandomResizedCrop', area_range=(0.56, 1.0)),
    dict(type='mmaction.Resize', scale=(56, 56), keep_ratio=False),
    dict(type='mmaction.Flip', flip_ratio=0.5, left_kp=left_kp, right_kp=right_kp),
    limb_heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
val_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=1, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    limb_heatmap,
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
test_pipeline = [
    dict(type='mmaction.UniformSampleFrames', clip_len=48, num_clips=10, test_mode=True),
    dict(type='mmaction.PoseDecode'),
    dict(type='mmaction.PoseCompact', hw_ratio=1., allow_imgpad=True),
    dict(type='mmaction.Resize', scale=(-1, 64)),
    dict(type='mmaction.CenterCrop', crop_size=64),
    dict(**limb_heatmap, double=True, left_limb=left_limb, right_limb=right_limb),
    dict(type='mmaction.FormatShape', input_format='NCTHW_Heatmap'),
    dict(type='mmaction.PackActionInputs'),
]
# The dataloaders hold copies of the base pipelines: point them at these.
train_dataloader = dict(dataset=dict(dataset=dict(pipeline=train_pipeline)))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
