"""Video files: an mp4 writer and readers that never fail without naming the file.

:func:`open_video` opens a video with decord and falls back to PyAV when decord cannot
open it. Both readers offer the part of decord's ``VideoReader`` API that mmaction2's
``DecordDecode`` uses (``len``, ``get_avg_fps``, ``get_batch(...).asnumpy()``, ``seek``,
``next().asnumpy()``), so they can stand in ``results['video_reader']``. Every failure,
at opening or decoding time, is raised as :class:`VideoReadError` with the file name and
the problem.
"""
import io
import re
from fractions import Fraction
from typing import List, Optional, Sequence, Union

import av
import decord
import numpy as np
from mmengine.fileio import get

__all__ = ['PyAVVideoReader', 'DecordVideoReader', 'VideoReadError', 'open_video', 'write_video']


class VideoReadError(ValueError):
    """A video cannot be read: missing, empty, corrupt, truncated or too short."""


class _Frames:
    """Decoded frames with decord's ``NDArray.asnumpy()``."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def asnumpy(self) -> np.ndarray:
        """The frames as a numpy array."""
        return self._array


class DecordVideoReader:
    """A decord ``VideoReader`` whose decoding errors become :class:`VideoReadError`.

    decord only reads the container index when it opens a file, so a file cut after its
    index (``movflags=faststart``) opens with the full frame count and fails when the
    missing frames are decoded; this wrapper names the file in that error.

    Args:
        reader (decord.VideoReader): The opened reader.
        filename (str): The file, for error messages.
    """

    backend = 'decord'

    def __init__(self, reader: decord.VideoReader, filename: str) -> None:
        self._reader = reader
        self.filename = filename

    def __len__(self) -> int:
        return len(self._reader)

    def get_avg_fps(self) -> float:
        """Average frame rate."""
        return self._reader.get_avg_fps()

    def get_batch(self, indices: Sequence[int]) -> decord.ndarray.NDArray:
        """Frames ``indices`` as an NDArray (N, H, W, 3) uint8 RGB."""
        try:
            return self._reader.get_batch(indices)
        except decord.DECORDError as error:
            indices = list(indices)
            raise VideoReadError(
                f'{self.filename}: truncated or corrupt, decord cannot decode {len(indices)} '
                f'frames in [{min(indices)}, {max(indices)}]: {_first_line(error)}') from error

    def seek(self, index: int) -> None:
        """Move to frame ``index``."""
        try:
            self._reader.seek(index)
        except decord.DECORDError as error:
            raise VideoReadError(f'{self.filename}: decord cannot seek to frame {index}: '
                                 f'{_first_line(error)}') from error

    def next(self) -> decord.ndarray.NDArray:
        """The next frame, (H, W, 3) uint8 RGB."""
        try:
            return self._reader.next()
        except StopIteration as error:
            raise VideoReadError(f'{self.filename}: read past the last frame ({len(self)})') \
                from error
        except decord.DECORDError as error:
            raise VideoReadError(f'{self.filename}: decord cannot decode the next frame: '
                                 f'{_first_line(error)}') from error


class PyAVVideoReader:
    """All frames of a video decoded with PyAV, behind decord's reader API.

    The whole first video stream is decoded when the reader is built, which counts the
    frames exactly and meets corrupt or truncated data up front (FFmpeg reports invalid
    data); it keeps T x H x W x 3 bytes in memory, fine for the short clips this fallback
    is for.

    Args:
        data (bytes): The file content.
        filename (str): The file, for error messages.
        num_threads (int): Decoder threads (0: FFmpeg's choice). Defaults to 1.
    """

    backend = 'pyav'

    def __init__(self, data: bytes, filename: str, num_threads: int = 1) -> None:
        self.filename = filename
        try:
            with av.open(io.BytesIO(data), metadata_errors='ignore') as container:
                if not container.streams.video:
                    raise VideoReadError(f'{filename}: no video stream')
                stream = container.streams.video[0]
                stream.thread_count = num_threads
                rate = stream.average_rate or stream.guessed_rate
                frames = [frame.to_ndarray(format='rgb24') for frame in container.decode(stream)]
        except av.FFmpegError as error:
            raise VideoReadError(f'{filename}: PyAV cannot decode it: {_av_problem(error)}') \
                from error
        if not frames:
            raise VideoReadError(f'{filename}: the video stream has no decodable frame')
        self._frames = np.stack(frames)  # (T, H, W, 3)
        self._fps = float(rate) if rate else 0.0
        self._position = 0

    def __len__(self) -> int:
        return len(self._frames)

    def get_avg_fps(self) -> float:
        """Average frame rate (0.0 when the container has none)."""
        return self._fps

    def get_batch(self, indices: Sequence[int]) -> _Frames:
        """Frames ``indices`` as (N, H, W, 3) uint8 RGB behind ``asnumpy()``."""
        indices = np.asarray(indices, dtype=np.int64)
        bad = indices[(indices < 0) | (indices >= len(self))]
        if bad.size:
            raise VideoReadError(f'{self.filename}: frame {int(bad[0])} is out of range '
                                 f'[0, {len(self)})')
        return _Frames(self._frames[indices])

    def seek(self, index: int) -> None:
        """Move to frame ``index``."""
        if not 0 <= index < len(self):
            raise VideoReadError(f'{self.filename}: cannot seek to frame {index} of '
                                 f'{len(self)}')
        self._position = index

    def next(self) -> _Frames:
        """The next frame, (H, W, 3) uint8 RGB behind ``asnumpy()``."""
        if self._position >= len(self):
            raise VideoReadError(f'{self.filename}: read past the last frame ({len(self)})')
        self._position += 1
        return _Frames(self._frames[self._position - 1])


# decord raises RuntimeError when FFmpeg cannot open the data, DECORDError from its C++
# checks and AssertionError for a frame count <= 0.
_DECORD_OPEN_ERRORS = (RuntimeError, decord.DECORDError, AssertionError)


def _first_line(error: Exception) -> str:
    """The first line of an error message without decord's ``[time] file.cc:line:`` prefixes
    (decord also appends a C++ stack trace)."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return re.sub(r'\[[\d:]+\] \S+:\d+: ', '', line)


def _av_problem(error: av.FFmpegError) -> str:
    """FFmpeg's description of a PyAV error (without the in-memory file's ``'<none>'``)."""
    return error.strerror or str(error)


def open_video(filename: str, backend_args: Optional[dict] = None, num_threads: int = 1,
               fallback: bool = True) -> Union[DecordVideoReader, PyAVVideoReader]:
    """Open a video with decord, or with PyAV when decord cannot open it.

    Args:
        filename (str): Path (or URI of an mmengine file backend).
        backend_args (dict, optional): mmengine file backend arguments. Defaults to None.
        num_threads (int): Decoder threads. Defaults to 1.
        fallback (bool): Try PyAV when decord fails. Defaults to True.

    Returns:
        A reader with the decord API used by ``mmaction.DecordDecode``; its ``backend``
        attribute is ``'decord'`` or ``'pyav'``.

    Raises:
        VideoReadError: The file is missing or empty, or no backend can open it.
    """
    try:
        data = get(filename, backend_args=backend_args)
    except FileNotFoundError as error:
        raise VideoReadError(f'{filename}: file not found') from error
    except OSError as error:
        raise VideoReadError(f'{filename}: cannot read the file: {error.strerror or error}') \
            from error
    if not data:
        raise VideoReadError(f'{filename}: empty file (0 bytes)')
    try:
        return DecordVideoReader(
            decord.VideoReader(io.BytesIO(data), num_threads=num_threads), filename)
    except _DECORD_OPEN_ERRORS as error:
        decord_problem = _first_line(error)
    if not fallback:
        raise VideoReadError(f'{filename}: decord cannot open it: {decord_problem}')
    try:
        return PyAVVideoReader(data, filename, num_threads)
    except VideoReadError as error:
        raise VideoReadError(f'{error}; decord cannot open it either: {decord_problem}') \
            from error


def write_video(path: str, frames: Union[np.ndarray, List[np.ndarray]], fps: int = 30,
                crf: int = 23, preset: str = 'veryfast') -> None:
    """Encode RGB frames as H.264 (libx264, yuv420p, one thread) with PyAV.

    At 120 x 160 the ``'veryfast'`` preset encodes a 64-frame clip in about 25 ms into
    about 12 kB; decord and PyAV decode it to the same frames.

    Args:
        path (str): Output file; the container comes from its extension (``.mp4``).
        frames (np.ndarray | list[np.ndarray]): (T, H, W, 3) uint8 RGB, H and W even.
        fps (int): Frame rate. Defaults to 30.
        crf (int): Constant rate factor (lower: better and larger). Defaults to 23.
        preset (str): x264 speed preset. Defaults to ``'veryfast'``.
    """
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f'{path}: frames must be (T, H, W, 3) uint8, got {frames.dtype} '
                         f'{frames.shape}')
    height, width = frames.shape[1:3]
    if height % 2 or width % 2:
        raise ValueError(f'{path}: yuv420p needs an even frame size, got {height}x{width}')
    with av.open(path, mode='w') as container:
        stream = container.add_stream('libx264', rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        stream.thread_count = 1
        stream.options = dict(crf=str(crf), preset=preset, threads='1')
        for image in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format='rgb24')))
        container.mux(stream.encode())
