"""Training-engine extensions: hooks, optimizer-wrapper constructors, launch helpers."""
from posetools.engine.layer_decay_optim_wrapper_constructor import \
    LayerDecayOptimWrapperConstructor
from posetools.engine.rng_state_hook import RNGStateHook

__all__ = ['LayerDecayOptimWrapperConstructor', 'RNGStateHook']
