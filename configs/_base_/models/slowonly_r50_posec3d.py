# PoseConv3D: SlowOnly-R50 on 17-channel keypoint heatmap volumes + I3D head (mmaction2 modules).
model = dict(
    type='mmaction.Recognizer3D',
    data_preprocessor=dict(type='mmaction.ActionDataPreprocessor', format_shape='NCTHW'),
    backbone=dict(
        type='mmaction.ResNet3dSlowOnly',
        depth=50,
        pretrained=None,
        in_channels=17,
        base_channels=32,
        num_stages=3,
        out_indices=(2, ),
        stage_blocks=(4, 6, 3),
        conv1_stride_s=1,
        pool1_stride_s=1,
        inflate=(0, 1, 1),
        spatial_strides=(2, 2, 2),
        temporal_strides=(1, 1, 2),
        dilations=(1, 1, 1)),
    cls_head=dict(
        type='mmaction.I3DHead',
        in_channels=512,
        num_classes=60,
        dropout_ratio=0.5,
        average_clips='prob',
        loss_cls=dict(type='mmaction.CrossEntropyLoss')))
