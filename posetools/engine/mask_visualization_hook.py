"""Log the training masks as pictures: the first clip of a batch with its tokens masked."""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from posetools.registry import HOOKS
from posetools.visualization import (clip_frames, directing_saliency, first_clip_inputs,
                                     mask_figure, saliency_label)


@HOOKS.register_module()
class MaskVisualizationHook(Hook):
    """Every ``interval`` training iterations, draw the mask the step just used.

    The picture is ``tools/analysis/visualize_masks.py``'s grid (``mask_figure``) for the
    first clip of the batch: its frames, the masked tokens greyed, the visible tokens only
    and the saliency (the data sample's, or a directed masker's own, e.g. the motion of
    ``MotionMasker``), logged with ``runner.visualizer.add_image(name, image, step=iter)``
    (``LocalVisBackend``: ``<work_dir>/<timestamp>/vis_data/vis_image/<name>_<iter>.png``).

    It only reads what the step computed: the model's ``last_mask`` (``VideoMAE`` keeps the
    (N, L) mask of its last training forward) and the data batch; it draws no random
    numbers, so runs with and without it train identically. Keypoints are not drawn (the
    data samples do not carry them; the tool draws them).

    Args:
        interval (int): Training iterations between pictures. Defaults to 500.
        name (str): Image name for the visualizer. Defaults to ``'masks'``.
    """

    def __init__(self, interval: int = 500, name: str = 'masks') -> None:
        if interval < 1:
            raise ValueError(f'MaskVisualizationHook: interval must be >= 1, got {interval}')
        self.interval = interval
        self.name = name

    def before_train(self, runner) -> None:
        """Check that the model keeps its masks (``masker``, ``last_mask``, a token grid)."""
        model = self._model(runner)
        if not (hasattr(model, 'masker') and hasattr(model, 'last_mask')
                and hasattr(getattr(model, 'backbone', None), 'grid_size')):
            raise TypeError(f'MaskVisualizationHook needs a masked-autoencoder model with a '
                            f'masker, last_mask and backbone.grid_size (VideoMAE), got '
                            f'{model.__class__.__name__}')

    def after_train_iter(self, runner, batch_idx: int, data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        """Log the picture of the batch's first clip every ``interval`` iterations."""
        if not self.every_n_train_iters(runner, self.interval) or data_batch is None:
            return
        model = self._model(runner)
        grid_size = tuple(model.backbone.grid_size)
        clip = data_batch['inputs'][0]  # (clips, C, T, H, W), unnormalised
        sample = data_batch['data_samples'][0]
        videos, saliency = first_clip_inputs(model.data_preprocessor, clip, sample, grid_size)
        with torch.no_grad():
            shown = directing_saliency(model.masker, saliency, videos, grid_size)
        step = runner.iter + 1
        image = mask_figure(
            clip_frames(clip[0]), model.last_mask[0].view(grid_size).cpu().numpy(),
            None if shown is None else shown[0].float().cpu().numpy(),
            title=f'training iteration {step}: first clip of the batch\n{model.masker!r}',
            saliency_label=saliency_label(model.masker))
        runner.visualizer.add_image(self.name, image, step=step)

    @staticmethod
    def _model(runner) -> torch.nn.Module:
        """The runner's model, unwrapped from DDP and other wrappers."""
        return runner.model.module if is_model_wrapper(runner.model) else runner.model
