"""posetools: skeleton-based action recognition and pose-aware video MAE on mmengine."""
from setuptools import find_packages, setup

# Pins verified together on CPython 3.11 (see README "Install"). torch is pinned exactly:
# the checkpoint allow-list (posetools/compat.py) and mmcv builds are tied to it.
INSTALL_REQUIRES = [
    'torch==2.14.1',
    'torchvision==0.29.1',
    'mmengine==0.10.7',
    'mmcv-lite==2.1.0',
    'mmaction2==1.2.0',
    'numpy<2',  # mmaction2 1.2.0 uses np.Inf (removed in NumPy 2)
    'opencv-python-headless<4.12',  # 4.12+ requires numpy>=2
    'opencv-contrib-python<4.12',  # mmaction2 depends on it; keep it numpy<2 compatible too
    'importlib_metadata',  # imported by mmaction2 without being declared
    'decord',
    'av>=14,<19',  # PyAV: fallback reader, libx264 writer; cp311 wheels, no numpy pin; 18.1 tested
    'submitit',
    'tqdm',
    'scipy',
    'matplotlib',
    'Pillow',  # PNGs and GIFs of posetools.visualization (matplotlib needs it too)
    'mediapipe==0.10.21',  # default pose backend: last wheel bundling BlazePose full (+~460 MB)
]

# The mmdet/mmpose pose-extraction backend (posetools/pose/mm_backend.py). The extra `mm`
# lists only what pip can install. The rest comes from `bash tools/install/install_mm.sh`,
# which makes a separate environment .venv-mm on top of .venv: full mmcv 2.1.0 with compiled
# ops in place of mmcv-lite (PyPI has no such wheel for this torch:
# tools/install/build_mmcv.sh builds it), and `pip install --no-deps mmpose==1.3.2` (its
# `chumpy` requirement does not build).
EXTRAS_REQUIRE = {
    'tests': ['pytest', 'pytest-timeout', 'scikit-image'],  # skimage.data.astronaut()
    'mm': [
        'mmdet==3.3.0',  # the release for mmcv 2.1.0 (it asserts mmcv>=2.0.0rc4,<2.2.0)
        # mmpose 1.3.2's runtime needs, less chumpy (the others are posetools' own)
        'json_tricks',
        'munkres',
        'xtcocotools>=1.12',
        # mmengine 0.10.7's get_installed_path (mmpose.apis imports it) needs pkg_resources,
        # which setuptools 82 removed
        'setuptools<82',
    ],
}

setup(
    name='posetools',
    version='0.1.0',
    description='Skeleton action recognition and pose-aware video MAE recipes on mmengine',
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    python_requires='>=3.10',
    packages=find_packages(include=['posetools', 'posetools.*']),
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    license='Apache-2.0',
)
