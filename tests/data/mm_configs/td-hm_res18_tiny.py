# A tiny mmpose top-down model (SimpleBaseline: ResNet-18 + deconvolution heatmap head, COCO-17,
# 128x96 input) for the tests of posetools' `mm` backend, built with random weights. mmaction2's
# extraction uses HRNet-w32 at 256x192 with trained weights, through the same API.
default_scope = 'mmpose'
codec = dict(type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True),
    backbone=dict(type='ResNet', depth=18, init_cfg=None),
    head=dict(
        type='HeatmapHead', in_channels=512, out_channels=17,
        deconv_out_channels=(64, 64, 64), deconv_kernel_sizes=(4, 4, 4),
        loss=dict(type='KeypointMSELoss', use_target_weight=True), decoder=codec),
    test_cfg=dict(flip_test=False))
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]
# the dataset's metainfo (COCO-17 names, flip pairs, sigmas) comes from its type
train_dataloader = dict(dataset=dict(type='CocoDataset'))
test_dataloader = dict(dataset=dict(type='CocoDataset', pipeline=test_pipeline))
