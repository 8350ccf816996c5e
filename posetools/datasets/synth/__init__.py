"""SynthAction: a small, seeded, embedded skeleton action dataset.

:class:`SynthActionGenerator` animates an articulated 25-joint NTU RGB+D
(Kinect v2) skeleton through parameterised action trajectories and writes an
NTU-style 3D and a COCO-17 2D annotation pickle in the mmaction2
``PoseDataset`` format. The RGB video renderer (:mod:`.video`) consumes
:class:`SynthSample` together with :meth:`SynthCamera.project`, so rendered
frames, boxes and keypoints stay consistent with the pickles.

Modules, one job each:

* :mod:`~posetools.datasets.synth.skeleton`: the NTU joints and COCO-17
  keypoints, forward kinematics, and the world frame.
* :mod:`~posetools.datasets.synth.motions`: the action classes
  (:data:`SYNTH_CLASSES`) as joint-angle trajectories, fidgets, idle sway.
* :mod:`~posetools.datasets.synth.performers`: performer ids, the ``xsub``
  split, and every performer's body.
* :mod:`~posetools.datasets.synth.camera`: :class:`SynthCamera`, and the
  camera and image frames.
* :mod:`~posetools.datasets.synth.generator`: :class:`SynthSample` and
  :class:`SynthActionGenerator` (the plan, animation, annotations and the
  pickles, :func:`write_dataset`).
* :mod:`~posetools.datasets.synth.video`: :class:`SynthVideoRenderer` and
  its :class:`VideoStyle` (how the people are drawn and framed), and
  :func:`write_video_dataset` (videos, lists and per-frame poses).
"""
from posetools.datasets.synth.camera import SynthCamera
from posetools.datasets.synth.generator import (SynthActionGenerator,
                                                SynthSample, write_dataset)
from posetools.datasets.synth.motions import FPS, SYNTH_CLASSES
from posetools.datasets.synth.performers import (NTU_XSUB_TRAIN_PERFORMERS,
                                                 NUM_PERFORMERS)
from posetools.datasets.synth.skeleton import (COCO_FROM_NTU,
                                               COCO_KEYPOINT_NAMES,
                                               COCO_OFFSETS, NTU_JOINT_NAMES,
                                               NTU_REST_OFFSETS,
                                               euler_to_matrix,
                                               forward_kinematics)
from posetools.datasets.synth.video import (VIDEO_STYLES, SynthVideo,
                                            SynthVideoRenderer, VideoStyle,
                                            write_video_dataset)

__all__ = [
    'COCO_FROM_NTU', 'COCO_KEYPOINT_NAMES', 'COCO_OFFSETS', 'FPS',
    'NTU_JOINT_NAMES', 'NTU_REST_OFFSETS',
    'NTU_XSUB_TRAIN_PERFORMERS', 'NUM_PERFORMERS', 'SYNTH_CLASSES',
    'SynthActionGenerator', 'SynthCamera', 'SynthSample', 'SynthVideo',
    'SynthVideoRenderer', 'VIDEO_STYLES', 'VideoStyle', 'euler_to_matrix',
    'forward_kinematics', 'write_dataset', 'write_video_dataset'
]
