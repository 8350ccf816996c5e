# Skeleton transformer on mmaction2's GCN input layout (N, clips, M, T, V, C).
model = dict(
    type='mmaction.RecognizerGCN',
    data_preprocessor=dict(type='mmaction.ActionDataPreprocessor'),
    backbone=dict(
        type='SkeletonTransformer',
        num_joints=25,
        in_channels=3,
        num_frames=100,
        token_mode='joint',
        temporal_patch_size=4,
        embed_dims=256,
        depth=8,
        num_heads=8,
        drop_rate=0.,
        drop_path_rate=0.1),
    cls_head=dict(
        type='SkeletonClsHead',
        num_classes=60,
        in_channels=256,
        dropout=0.1,
        label_smooth_eps=0.1))
