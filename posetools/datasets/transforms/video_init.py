"""Open a video for ``mmaction.DecordDecode``: decord first, PyAV when decord cannot."""
from typing import Dict, Optional

from mmcv.transforms import BaseTransform

from posetools.datasets.video_io import VideoReadError, open_video
from posetools.registry import TRANSFORMS


@TRANSFORMS.register_module()
class VideoInit(BaseTransform):
    """``mmaction.DecordInit`` with a PyAV fallback and clear errors.

    Opens ``results['filename']`` with decord; when decord cannot open it (some codecs and
    containers), decodes it with PyAV instead. Either reader offers what
    ``mmaction.DecordDecode`` calls (``get_batch(frame_inds).asnumpy()`` in its default
    ``'accurate'`` mode, ``seek``/``next().asnumpy()`` in ``'efficient'`` mode), so the
    pipeline continues unchanged. A missing, empty, corrupt or truncated file (also one
    that decord opens but cannot decode later, in ``DecordDecode``) raises
    :class:`~posetools.datasets.video_io.VideoReadError` naming the file and the
    problem; ``posetools.RobustVideoDataset`` skips such videos in training.

    Too-short videos: ``mmaction.SampleFrames(clip_len, frame_interval)`` reads frames
    spanning ``(clip_len - 1) * frame_interval + 1`` frames (61 for 16 x 4; add
    ``frame_interval - 1`` with ``temporal_jitter``). On a shorter video it does not
    fail: with its default ``out_of_bound_opt='loop'`` the indices wrap modulo
    ``total_frames``, so the clip jumps back to the start of the video mid-clip
    (``'repeat_last'`` repeats the last frame instead). Set ``min_frames`` to that span
    to reject such videos with a ``VideoReadError`` instead.

    Required Keys:

        - filename

    Added Keys:

        - video_reader
        - total_frames
        - avg_fps
        - video_backend (``'decord'`` or ``'pyav'``)

    Args:
        min_frames (int, optional): Fewest frames a video must have. Defaults to None
            (no check).
        num_threads (int): Decoder threads. Defaults to 1.
        fallback (bool): Decode with PyAV when decord cannot open a file. Defaults to True.
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None
            (local files).
    """

    def __init__(self,
                 min_frames: Optional[int] = None,
                 num_threads: int = 1,
                 fallback: bool = True,
                 backend_args: Optional[dict] = None) -> None:
        if min_frames is not None and min_frames < 1:
            raise ValueError(f'min_frames must be >= 1 or None, got {min_frames}')
        self.min_frames = min_frames
        self.num_threads = num_threads
        self.fallback = fallback
        self.backend_args = backend_args

    def transform(self, results: Dict) -> Dict:
        """Open ``results['filename']`` and add the reader and its frame count and rate."""
        filename = results['filename']
        reader = open_video(filename, self.backend_args, self.num_threads, self.fallback)
        if self.min_frames is not None and len(reader) < self.min_frames:
            raise VideoReadError(
                f'{filename}: {len(reader)} frames, the clip needs at least min_frames='
                f'{self.min_frames} (SampleFrames would loop back to the first frame)')
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = reader.get_avg_fps()
        results['video_backend'] = reader.backend
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(min_frames={self.min_frames}, '
                f'num_threads={self.num_threads}, fallback={self.fallback}, '
                f'backend_args={self.backend_args})')
