"""The SynthAction action classes as joint-angle trajectories.

Every action class is a parameterised trajectory of local Euler angles per
joint (plus root lift and whole-body turns), written into a :class:`Motion`
by the class's function in :data:`MOTIONS`; each call draws its own variant,
speed, phase and amplitude. :func:`fidget` adds a small unrelated gesture and
:func:`idle_sway` the idle sway of a standing person.
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import numpy as np

from posetools.datasets.synth.skeleton import (L_ELBOW, L_HIP, L_KNEE,
                                               L_SHOULDER, NECK, R_ANKLE,
                                               R_ELBOW, R_HIP, R_KNEE,
                                               R_SHOULDER, R_WRIST, ROOT,
                                               SPINE_MID, SPINE_SHOULDER)
from posetools.structures.skeletons import NTU25_MIRROR

FPS = 30
"""Frame rate the motions are designed for (frames per second)."""

SYNTH_CLASSES: Tuple[str, ...] = (
    'wave', 'punch', 'clap', 'arms_up', 'squat', 'jump', 'bow', 'kick',
    'turn', 'throw', 'march', 'side_bend')
"""All defined action classes; a dataset with ``num_classes=k`` uses the
first ``k``. Confusable groups: one-arm actions (wave, punch, throw),
vertical trunk motion (squat, jump, bow), leg motion (kick, march, turn),
arms raised (arms_up, jump, side_bend)."""


class Motion:
    """Per-frame joint angles and root motion of one person.

    Attributes:
        angles: (T, 25, 3) local Euler angles in degrees; channels rotate
            about the left (``x``), up (``y``) and forward (``z``) axes.
            Sign conventions at rest: negative ``x`` swings a limb forward
            (shoulder/hip flexion, elbow flexion), positive ``x`` bends the
            knee or the trunk forward, positive ``z`` raises the left arm
            sideways (negative for the right arm), positive ``y`` turns the
            body to its left.
        lift: (T, ) vertical lift above the grounded pose (metres).
        anchor_feet: keep the mean ankle position fixed horizontally (the
            hips then move back when squatting or bowing).
    """

    def __init__(self, num_frames: int) -> None:
        self.angles = np.zeros((num_frames, 25, 3))
        self.lift = np.zeros(num_frames)
        self.anchor_feet = False

    def rotate(self, joint: int, rx: np.ndarray | float = 0.0,
               ry: np.ndarray | float = 0.0,
               rz: np.ndarray | float = 0.0) -> None:
        """Add Euler angles (degrees, scalars or (T,) arrays) to a joint."""
        self.angles[:, joint, 0] += rx
        self.angles[:, joint, 1] += ry
        self.angles[:, joint, 2] += rz

    def mirror(self) -> None:
        """Reflect the motion left/right (``x -> -x``)."""
        flip = np.array([1.0, -1.0, -1.0])
        self.angles = self.angles[:, list(NTU25_MIRROR)] * flip


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """Cubic ease ``3x^2 - 2x^3`` of ``x`` clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _envelope(u: np.ndarray, ramp: float = 0.15) -> np.ndarray:
    """Fade in/out over the first/last ``ramp`` of the action progress."""
    return _smoothstep(u / ramp) * _smoothstep((1.0 - u) / ramp)


def _pulses(u: np.ndarray, reps: int, hold: float = 0.0) -> np.ndarray:
    """``reps`` smooth 0 -> 1 -> 0 pulses over ``u`` in [0, 1].

    Args:
        u: (T, ) action progress.
        reps: number of repetitions.
        hold: > 0 flattens the top of each pulse (holding the pose).

    Returns:
        (T, ) profile in [0, 1], zero at ``u = 0`` and ``u = 1``.
    """
    base = np.sin(np.pi * reps * u)**2
    return _smoothstep(base * (1.0 + hold)) if hold > 0 else base


def _gauss(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    """Unnormalised Gaussian bump."""
    return np.exp(-0.5 * ((x - mu) / sigma)**2)


MotionFn = Callable[[Motion, np.ndarray, np.random.Generator, float], None]
"""A class trajectory ``fn(motion, u, rng, amp)``: adds joint angles (and
lift) to ``motion`` for the action progress ``u`` (T,) in [0, 1] (0 before
the action window, 1 after it), drawing its variant, speed and phase from
``rng`` and scaling its main angles by ``amp`` (0.75..1.25). One-sided
actions use the right side; mirroring gives the left-side versions."""


def _wave(m: Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Wave the right hand: arm raised sideways with the forearm up, or
    raised in front with the hand swinging side to side."""
    env = _envelope(u)
    osc = np.sin(2 * np.pi * rng.uniform(2.0, 5.0) * u + rng.uniform(0, 6.3))
    if rng.random() < 0.6:
        m.rotate(R_SHOULDER, rx=-rng.uniform(0, 40) * env,
                 rz=-rng.uniform(70, 110) * amp * env)
        m.rotate(R_ELBOW, rz=-(55 + 30 * amp * osc) * env)
    else:
        m.rotate(R_SHOULDER, rx=-rng.uniform(60, 100) * env,
                 ry=25 * amp * osc * env)
        m.rotate(R_ELBOW, rx=-rng.uniform(40, 80) * env)
    m.rotate(R_WRIST, rz=-10 * osc * env)
    m.rotate(NECK, ry=-10 * env)


def _punch(m: Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Straight punches from a guard (or from the hips) with a trunk
    twist: right arm only, or alternating both arms."""
    guard = _envelope(u, 0.2) * rng.uniform(0.3, 1.0)
    reps = int(rng.integers(1, 4))
    hits = [_pulses(u, reps)**2, np.zeros_like(u)]
    if rng.random() < 0.4:  # alternating left-right punches
        w = (2 * reps * u) % 2.0
        hits = [np.sin(np.pi * np.clip(w - 1, 0, 1))**4,
                np.sin(np.pi * np.clip(w, 0, 1))**4]
    for (shoulder, sign), hit in zip(((R_SHOULDER, 1), (L_SHOULDER, -1)),
                                     hits):
        m.rotate(shoulder, rx=-35 * guard - rng.uniform(40, 60) * amp * hit,
                 ry=sign * 15 * guard)
        m.rotate(shoulder + 1, rx=-115 * guard * (1 - hit) - 10 * hit)
        m.rotate(SPINE_MID, ry=sign * 20 * amp * hit)


def _clap(m: Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Clap the hands repeatedly in front of the chest or over the head."""
    env = _envelope(u)
    beat = 0.5 * (1 + np.sin(2 * np.pi * rng.uniform(3.0, 6.0) * u +
                             rng.uniform(0, 6.3)))
    overhead = rng.random() < 0.2
    lift = rng.uniform(130, 160) if overhead else rng.uniform(40, 80)
    for side, sign in ((L_SHOULDER, -1), (R_SHOULDER, 1)):
        if overhead:  # arms swing sideways, the hands meet above the head
            m.rotate(side, rx=-lift * env,
                     rz=-sign * (25 * amp * beat - 17) * env)
        else:  # upper arms swing horizontally, the hands meet in front
            m.rotate(side, rx=-lift * env,
                     ry=sign * (8 + 20 * amp * beat) * env)
        m.rotate(side + 1, rx=-rng.uniform(20, 60) * env)


def _arms_up(m: Motion, u: np.ndarray, rng: np.random.Generator,
             amp: float) -> None:
    """Raise both arms over the head (sideways or in front), hold, lower."""
    up = _pulses(u, int(rng.integers(1, 3)), hold=rng.uniform(0.2, 1.0))
    angle = min(175.0, rng.uniform(120, 165) * amp) * up
    if rng.random() < 0.75:
        m.rotate(L_SHOULDER, rx=-15 * up, rz=angle)
        m.rotate(R_SHOULDER, rx=-15 * up, rz=-angle)
    else:
        m.rotate(L_SHOULDER, rx=-angle, rz=10 * up)
        m.rotate(R_SHOULDER, rx=-angle, rz=-10 * up)
    m.rotate(L_ELBOW, rx=-15 * up)
    m.rotate(R_ELBOW, rx=-15 * up)
    m.rotate(NECK, rx=-10 * up)


def _squat(m: Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Knee bends (half to deep) with a forward trunk lean, feet flat;
    arms hanging, stretched forward, or hands on the hips."""
    down = _pulses(u, int(rng.integers(1, 4)), hold=0.3)
    depth = min(105.0, rng.uniform(50, 95) * amp) * down
    lean = rng.uniform(10, 30) * down
    m.rotate(ROOT, rx=lean)
    for hip in (L_HIP, R_HIP):
        m.rotate(hip, rx=-depth - lean)
        m.rotate(hip + 1, rx=depth + 20 * down)
        m.rotate(hip + 2, rx=-20 * down)
    arms = rng.integers(3)
    for shoulder, sign in ((L_SHOULDER, 1), (R_SHOULDER, -1)):
        if arms == 1:  # arms forward for balance
            m.rotate(shoulder, rx=-80 * down - lean)
        elif arms == 2:  # hands on the hips
            m.rotate(shoulder, rz=sign * 35 * _envelope(u))
            m.rotate(shoulder + 1, rx=-90 * _envelope(u))
    m.anchor_feet = True


def _jump(m: Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Crouch, take off (optional arm swing, or a jumping jack spreading
    arms and legs), land softly; 1-3 jumps."""
    w = (int(rng.integers(1, 4)) * u) % 1.0
    crouch = rng.uniform(0.4, 1.0) * (
        _gauss(w, 0.22, 0.09) + 0.7 * _gauss(w, 0.85, 0.07))
    flight = np.clip(np.sin(np.pi * (w - 0.4) / 0.35), 0, None) * (
        (w > 0.4) & (w < 0.75))
    lean = 25 * crouch
    m.rotate(ROOT, rx=lean)
    jack = rng.random() < 0.3
    for hip, sign in ((L_HIP, 1), (R_HIP, -1)):
        m.rotate(hip, rx=-60 * crouch - lean, rz=sign * 20 * jack * flight)
        m.rotate(hip + 1, rx=90 * crouch)
        m.rotate(hip + 2, rx=-30 * crouch + 25 * flight)
    swing = rng.uniform(0, 140)
    for shoulder, sign in ((L_SHOULDER, 1), (R_SHOULDER, -1)):
        if jack:
            m.rotate(shoulder, rz=sign * rng.uniform(100, 160) * flight)
        else:
            m.rotate(shoulder, rx=30 * crouch - swing * flight)
    m.lift = rng.uniform(0.1, 0.3) * amp * flight
    m.anchor_feet = True


def _bow(m: Motion, u: np.ndarray, rng: np.random.Generator,
         amp: float) -> None:
    """Bend the trunk forward at the hips, hold, come back up."""
    bend = min(85.0, rng.uniform(25, 70) * amp) * _pulses(
        u, int(rng.integers(1, 3)), hold=rng.uniform(0.2, 1.0))
    m.rotate(ROOT, rx=bend)
    m.rotate(L_HIP, rx=-bend)
    m.rotate(R_HIP, rx=-bend)
    m.rotate(NECK, rx=0.25 * bend)
    arms = rng.integers(3)
    for shoulder in (L_SHOULDER, R_SHOULDER):
        if arms == 1:  # arms keep hanging vertically
            m.rotate(shoulder, rx=-bend)
        elif arms == 2:  # hands joined in front
            m.rotate(shoulder, rx=-30 * _envelope(u))
            m.rotate(shoulder + 1, rx=-60 * _envelope(u))
    m.anchor_feet = True


def _kick(m: Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Front (or side) kicks with the right leg, arms out for balance."""
    p = _pulses(u, int(rng.integers(1, 4)))
    raise_ = min(100.0, rng.uniform(45, 85) * amp) * p
    m.rotate(ROOT, rx=-10 * p)
    if rng.random() < 0.7:
        m.rotate(R_HIP, rx=-raise_ + 10 * p)
        m.rotate(R_KNEE, rx=280 * p * (1 - p))
    else:
        m.rotate(R_HIP, rx=10 * p, rz=-0.7 * raise_)
    m.rotate(R_ANKLE, rx=20 * p)
    m.rotate(L_HIP, rx=10 * p)
    m.rotate(L_KNEE, rx=10 * p)
    spread = rng.uniform(0, 40)
    m.rotate(L_SHOULDER, rz=spread * p)
    m.rotate(R_SHOULDER, rz=-spread * p)


def _turn(m: Motion, u: np.ndarray, rng: np.random.Generator,
          amp: float) -> None:
    """Turn the whole body to the left on the spot, stepping or pivoting."""
    m.rotate(ROOT, ry=min(200.0, rng.uniform(80, 180) * amp) *
             _smoothstep(u))
    step = rng.uniform(0, 1) * np.sin(np.pi * int(rng.integers(2, 5)) * u)
    for hip, lift in ((L_HIP, np.clip(step, 0, None)),
                      (R_HIP, np.clip(-step, 0, None))):
        m.rotate(hip, rx=-30 * lift)
        m.rotate(hip + 1, rx=50 * lift)
    m.rotate(L_SHOULDER, rx=15 * step)
    m.rotate(R_SHOULDER, rx=-15 * step)


def _throw(m: Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """Overhand throws: right arm cocked back high, then whipped forward."""
    w = (int(rng.integers(1, 3)) * u) % 1.0
    raise_ = np.sin(np.pi * w)
    release = _smoothstep((w - 0.45) / 0.2)
    m.rotate(R_SHOULDER,
             rx=(40 * (1 - release) - 70 * amp * release) * raise_,
             rz=-rng.uniform(80, 130) * (1 - 0.5 * release) * raise_)
    m.rotate(R_ELBOW, rx=-(100 * (1 - release) + 10 * release) * raise_)
    m.rotate(SPINE_MID, ry=(25 * release - 20 * (1 - release)) * raise_)
    m.rotate(L_SHOULDER, rx=-rng.uniform(0, 40) * raise_)


def _march(m: Motion, u: np.ndarray, rng: np.random.Generator,
           amp: float) -> None:
    """March on the spot: alternating knee lifts with opposite arm swing."""
    step = _envelope(u) * np.sin(2 * np.pi * rng.uniform(1.5, 3.5) * u +
                                 rng.uniform(0, 6.3))
    knee = rng.uniform(35, 75) * amp
    for hip, lift in ((L_HIP, np.clip(step, 0, None)),
                      (R_HIP, np.clip(-step, 0, None))):
        m.rotate(hip, rx=-knee * lift)
        m.rotate(hip + 1, rx=1.5 * knee * lift)
    swing = rng.uniform(0, 40)
    m.rotate(L_SHOULDER, rx=swing * step)
    m.rotate(R_SHOULDER, rx=-swing * step)
    m.rotate(L_ELBOW, rx=-30 * _envelope(u))
    m.rotate(R_ELBOW, rx=-30 * _envelope(u))


def _side_bend(m: Motion, u: np.ndarray, rng: np.random.Generator,
               amp: float) -> None:
    """Lean the trunk sideways, the opposite arm over the head (or both
    hands on the hips)."""
    lean = _envelope(u) * np.sin(2 * np.pi * rng.uniform(0.5, 2.0) * u)
    angle = min(45.0, rng.uniform(20, 35) * amp)
    m.rotate(SPINE_MID, rz=0.6 * angle * lean)
    m.rotate(SPINE_SHOULDER, rz=0.4 * angle * lean)
    if rng.random() < 0.6:
        m.rotate(L_SHOULDER, rz=150 * np.clip(lean, 0, None))
        m.rotate(R_SHOULDER, rz=-150 * np.clip(-lean, 0, None))
    else:
        m.rotate(L_SHOULDER, rz=35 * _envelope(u))
        m.rotate(R_SHOULDER, rz=-35 * _envelope(u))
        m.rotate(L_ELBOW, rx=-90 * _envelope(u))
        m.rotate(R_ELBOW, rx=-90 * _envelope(u))


def fidget(m: Motion, rng: np.random.Generator) -> None:
    """Add one small unrelated gesture at a random time (touch the face,
    half-raise an arm, shift the weight, glance sideways, nod)."""
    tau = np.linspace(0.0, 1.0, m.angles.shape[0])
    start = rng.uniform(0.0, 0.7)
    p = _pulses(np.clip((tau - start) / rng.uniform(0.2, 0.5), 0, 1), 1,
                hold=0.5)
    side, sign = ((L_SHOULDER, 1), (R_SHOULDER, -1))[rng.integers(2)]
    kind = rng.integers(5)
    if kind == 0:
        m.rotate(side, rx=-40 * p, ry=-sign * 20 * p)
        m.rotate(side + 1, rx=-120 * p)
    elif kind == 1:
        m.rotate(side, rx=-rng.uniform(20, 60) * p,
                 rz=sign * rng.uniform(0, 40) * p)
    elif kind == 2:
        m.rotate(L_KNEE if sign > 0 else R_KNEE, rx=25 * p)
        m.rotate(SPINE_MID, rz=-sign * 8 * p)
    elif kind == 3:
        m.rotate(NECK, ry=sign * 35 * p)
        m.rotate(SPINE_MID, ry=sign * 10 * p)
    else:
        m.rotate(NECK, rx=20 * p)
        m.rotate(ROOT, rx=8 * p)


MOTIONS: Dict[str, MotionFn] = {
    'wave': _wave,
    'punch': _punch,
    'clap': _clap,
    'arms_up': _arms_up,
    'squat': _squat,
    'jump': _jump,
    'bow': _bow,
    'kick': _kick,
    'turn': _turn,
    'throw': _throw,
    'march': _march,
    'side_bend': _side_bend,
}
"""The trajectory of every action class, keyed (and ordered) like
:data:`SYNTH_CLASSES`."""
assert tuple(MOTIONS) == SYNTH_CLASSES


def idle_sway(rng: np.random.Generator, num_frames: int,
              degrees: float = 2.5) -> np.ndarray:
    """Smooth idle sway of all joint angles.

    Returns:
        (T, 25, 3) Euler angle perturbations in degrees (two random
        low-frequency sinusoids per channel).
    """
    t = np.arange(num_frames)[:, None, None, None] / FPS
    freq = rng.uniform(0.15, 0.8, (1, 25, 3, 2))
    phase = rng.uniform(0, 2 * np.pi, (1, 25, 3, 2))
    gain = rng.uniform(0.3, 1.0, (1, 25, 3, 2)) * degrees
    return (gain * np.sin(2 * np.pi * freq * t + phase)).sum(-1)
