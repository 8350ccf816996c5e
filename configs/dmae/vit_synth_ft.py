# Fine-tuning a directed-MAE encoder (vit_synth.py) on SynthAction's labels: configs/mae/
# vit_synth_ft.py with this recipe's checkpoint. Fine-tuning needs no poses.
_base_ = ['../mae/vit_synth_ft.py']

work_dir = 'work_dirs/dmae_vit_synth_ft'  # apart from configs/mae/'s work_dirs/vit_synth_ft

pretrained = 'work_dirs/dmae_vit_synth/epoch_15.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
