# Fine-tuning the directed-MAE ViT-B (vit_b_k400.py) on Kinetics-400: configs/mae/
# vit_b_k400_ft.py (VideoMAE's recipe, 75 epochs) with this recipe's checkpoint.
_base_ = ['../mae/vit_b_k400_ft.py']

work_dir = 'work_dirs/dmae_vit_b_k400_ft'  # apart from configs/mae/'s work_dirs/vit_b_k400_ft

pretrained = 'work_dirs/dmae_vit_b_k400/epoch_800.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
