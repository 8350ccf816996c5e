_base_ = ['../../../configs/skeleton_transformer/stt_synth.py']

# Import the user package so that its @MODELS.register_module() runs.
custom_imports = dict(imports=['my_project'], allow_failed_imports=False)

model = dict(
    backbone=dict(_delete_=True, type='FrameMLP', num_joints=25, in_channels=3, hidden_dims=128),
    cls_head=dict(in_channels=128))
