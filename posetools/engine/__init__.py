"""Training-engine extensions: hooks, loops, optimizer-wrapper constructors, launch helpers."""
from posetools.engine.checkpoint_hook import AtomicCheckpointHook, AtomicLocalBackend
from posetools.engine.cpu_ddp import CPUDistributedDataParallel
from posetools.engine.layer_decay_optim_wrapper_constructor import \
    LayerDecayOptimWrapperConstructor
from posetools.engine.mask_visualization_hook import MaskVisualizationHook
from posetools.engine.rng_state_hook import RNGStateHook
from posetools.engine.train_loop import ResumableEpochBasedTrainLoop
from posetools.engine.worker_seeding import EpochWorkerInit

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'CPUDistributedDataParallel', 'EpochWorkerInit',
    'LayerDecayOptimWrapperConstructor', 'MaskVisualizationHook', 'RNGStateHook',
    'ResumableEpochBasedTrainLoop'
]
