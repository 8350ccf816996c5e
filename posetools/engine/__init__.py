"""Training-engine extensions: hooks (and later optimizer constructors, launch helpers)."""
from posetools.engine.rng_state_hook import RNGStateHook

__all__ = ['RNGStateHook']
