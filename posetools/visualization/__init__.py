"""Drawings of skeletons, heatmap volumes, token masks and saliency."""
from posetools.visualization.gif import save_gif
from posetools.visualization.heatmaps import colorize, heatmap_grid
from posetools.visualization.mask_picture import (clip_frames, directing_saliency,
                                                  first_clip_inputs,
                                                  mask_animation, mask_figure, masks_comparison,
                                                  saliency_label)
from posetools.visualization.masks import grey_masked, overlay_saliency, tokens_to_frames
from posetools.visualization.skeleton import (COCO17, NTU25, SkeletonTopology, draw_skeleton,
                                              draw_skeleton_on_image, topology_for)

__all__ = [
    'COCO17', 'NTU25', 'SkeletonTopology', 'clip_frames', 'colorize', 'directing_saliency',
    'draw_skeleton', 'draw_skeleton_on_image', 'first_clip_inputs', 'grey_masked', 'heatmap_grid', 'mask_animation',
    'mask_figure', 'masks_comparison', 'overlay_saliency', 'saliency_label', 'save_gif',
    'tokens_to_frames', 'topology_for'
]
