"""Write animation frames as a looping GIF (Pillow)."""
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image


def save_gif(path: Union[str, Path], images: np.ndarray, fps: float = 4.) -> Path:
    """Write (T, H, W, 3) uint8 RGB ``images`` as a GIF that loops forever.

    Every image is one GIF frame of ``1000 / fps`` ms (Pillow merges consecutive identical
    images into one longer frame, so give each a distinct label if the count matters).

    Args:
        path: Output file.
        images: (T, H, W, 3) uint8 RGB.
        fps: Frames per second.

    Returns:
        The path written.
    """
    images = np.asarray(images, np.uint8)
    if images.ndim != 4 or images.shape[-1] != 3 or not len(images):
        raise ValueError(f'save_gif needs (T, H, W, 3) images, T >= 1, got {images.shape}')
    path = Path(path)
    first, *rest = [Image.fromarray(image) for image in images]
    first.save(path, save_all=True, append_images=rest, duration=round(1000 / fps), loop=0)
    return path
