"""posetools.structures.skeletons: mmaction2's definitions, consistent sides, one copy."""
import ast
import inspect
import re
from pathlib import Path
from typing import Dict, FrozenSet, Sequence, Tuple

import mmaction
import pytest
from mmengine.config import Config

import posetools  # noqa: F401  (its compat patches let mmaction.models import)
from mmaction.datasets.transforms import GeneratePoseTarget, JointToBone
from mmaction.models.utils import Graph
from posetools.datasets.synth.skeleton import (COCO_KEYPOINT_NAMES, NTU_JOINT_NAMES,
                                               topological_order)
from posetools.structures import skeletons
from posetools.structures.skeletons import (COCO17_LEFT, COCO17_LEFT_LIMBS, COCO17_LIMBS,
                                            COCO17_RECIPE_LEFT_LIMBS, COCO17_RECIPE_LIMBS,
                                            COCO17_RECIPE_RIGHT_LIMBS, COCO17_RIGHT,
                                            COCO17_RIGHT_LIMBS, NTU25_BONES, NTU25_LEFT,
                                            NTU25_MIRROR, NTU25_PARENTS, NTU25_RIGHT,
                                            flip_permutation)
from tests.helpers import REPO_ROOT

MMACTION_LIMB_RECIPE = (Path(mmaction.__file__).parent / '.mim' / 'configs' / 'skeleton' /
                        'posec3d' / 'slowonly_r50_8xb16-u48-240e_ntu60-xsub-limb.py')


def undirected(pairs: Sequence[Sequence[int]]) -> FrozenSet[FrozenSet[int]]:
    """The pairs as a set of joint sets, without self-loops."""
    return frozenset(frozenset(pair) for pair in pairs if pair[0] != pair[1])


def config_literals(path: Path, names: Sequence[str]) -> Dict[str, object]:
    """The values of the top-level ``name = literal`` assignments to ``names`` in a config."""
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in names}


def test_coco17_is_mmaction2_generate_pose_target_default():
    defaults = {name: parameter.default for name, parameter
                in inspect.signature(GeneratePoseTarget.__init__).parameters.items()}
    assert COCO17_LIMBS == defaults['skeletons']
    assert (COCO17_LEFT, COCO17_RIGHT) == (defaults['left_kp'], defaults['right_kp'])
    assert (COCO17_LEFT_LIMBS, COCO17_RIGHT_LIMBS) == (defaults['left_limb'],
                                                       defaults['right_limb'])


def test_coco17_recipe_order_is_mmaction2_limb_recipe():
    recipe = config_literals(MMACTION_LIMB_RECIPE,
                             ('skeletons', 'left_limb', 'right_limb', 'left_kp', 'right_kp'))
    assert [list(limb) for limb in COCO17_RECIPE_LIMBS] == recipe['skeletons']
    assert list(COCO17_RECIPE_LEFT_LIMBS) == recipe['left_limb']
    assert list(COCO17_RECIPE_RIGHT_LIMBS) == recipe['right_limb']
    assert [list(COCO17_LEFT), list(COCO17_RIGHT)] == [recipe['left_kp'], recipe['right_kp']]
    assert sorted(COCO17_RECIPE_LIMBS) == sorted(COCO17_LIMBS)  # the same limbs, reordered


def test_coco17_sides_follow_the_keypoint_names():
    for left, right in zip(COCO17_LEFT, COCO17_RIGHT):
        assert COCO_KEYPOINT_NAMES[left] == COCO_KEYPOINT_NAMES[right].replace('right_', 'left_')
        assert COCO_KEYPOINT_NAMES[left].startswith('left_')
    assert set(range(17)) - set(COCO17_LEFT) - set(COCO17_RIGHT) == {0}  # the nose


@pytest.mark.parametrize('limbs, left, right', [
    (COCO17_LIMBS, COCO17_LEFT_LIMBS, COCO17_RIGHT_LIMBS),
    (COCO17_RECIPE_LIMBS, COCO17_RECIPE_LEFT_LIMBS, COCO17_RECIPE_RIGHT_LIMBS)])
def test_coco17_limb_sides_are_mirror_images(limbs: Tuple, left: Tuple, right: Tuple):
    mirror = flip_permutation(17, COCO17_LEFT, COCO17_RIGHT)
    for left_limb, right_limb in zip(left, right):
        assert {mirror[joint] for joint in limbs[left_limb]} == set(limbs[right_limb])
    one_sided = [i for i, limb in enumerate(limbs)
                 if set(limb) & set(COCO17_LEFT) and not set(limb) & set(COCO17_RIGHT)]
    assert list(left) == one_sided


def test_ntu25_is_a_symmetric_tree_with_named_sides():
    assert len(NTU25_PARENTS) == 25 and NTU25_PARENTS[0] == -1
    assert sorted(topological_order(NTU25_PARENTS)) == list(range(25))  # no cycles
    assert NTU25_BONES == tuple((j, NTU25_PARENTS[j]) for j in range(1, 25))
    for left, right in zip(NTU25_LEFT, NTU25_RIGHT):
        assert NTU_JOINT_NAMES[left].endswith('Left')
        assert NTU_JOINT_NAMES[right] == NTU_JOINT_NAMES[left].replace('Left', 'Right')
    assert [NTU25_MIRROR[j] for j in NTU25_MIRROR] == list(range(25))  # an involution
    assert all(NTU25_PARENTS[NTU25_MIRROR[j]] == NTU25_MIRROR[parent]
               for j, parent in NTU25_BONES)  # mirroring maps bones onto bones


def test_ntu25_bones_differ_from_mmaction2_only_at_the_hand_tips_and_thumbs():
    # 0-based: 6/10 wrists, 7/11 hands, 21/23 hand tips, 22/24 thumbs
    ours = undirected(NTU25_BONES)
    joint_to_bone = undirected(JointToBone(dataset='nturgb+d').pairs)  # tip-thumb-hand
    graph = undirected(Graph(layout='nturgb+d').inward)  # tip and thumb on the hand
    assert ours - joint_to_bone == undirected([(21, 7), (22, 6), (23, 11), (24, 10)])
    assert joint_to_bone - ours == undirected([(21, 22), (22, 7), (23, 24), (24, 11)])
    assert ours - graph == undirected([(22, 6), (24, 10)])
    assert graph - ours == undirected([(22, 7), (24, 11)])


def test_configs_import_the_definitions():
    """A config imports the module below ``_base_`` and stays a plain (non-lazy) config."""
    cfg = Config.fromfile(REPO_ROOT / 'configs' / 'posec3d' / 'slowonly_r50_ntu60_xsub_limb.py')
    assert 'skeletons' not in cfg  # an imported module is no config key
    flip, heatmap = cfg.train_pipeline[6], cfg.test_pipeline[5]
    assert (flip.left_kp, flip.right_kp) == (list(COCO17_LEFT), list(COCO17_RIGHT))
    assert heatmap.skeletons == [list(limb) for limb in COCO17_RECIPE_LIMBS]
    assert (heatmap.left_limb, heatmap.right_limb) == (list(COCO17_RECIPE_LEFT_LIMBS),
                                                       list(COCO17_RECIPE_RIGHT_LIMBS))


def test_each_skeleton_is_written_only_in_skeletons_py():
    """No other source, tool, config or test spells out a skeleton's numbers."""
    signatures = {  # comma-joined digits of each definition, however bracketed
        'COCO17_LIMBS': '0,1,0,2,1,3,2,4',  # also the drawings' former 16-bone list
        'COCO17_RECIPE_LIMBS': '0,5,0,6,5,7,7,9',
        'COCO17_LEFT': '1,3,5,7,9,11,13,15',
        'COCO17_RIGHT': '2,4,6,8,10,12,14,16',
        'COCO17_LEFT_LIMBS': '0,2,4,5,6,10,11,12',
        'COCO17_RECIPE_LEFT_LIMBS': '0,2,3,6,7,8,12,14',
        'NTU25_PARENTS': '-1,0,20,2,20,4',
        'NTU25_LEFT': '4,5,6,7,12,13,14,15',
        'NTU25_MIRROR': '0,1,2,3,8,9,10,11,4',
    }
    definition = Path(skeletons.__file__).resolve()
    found = {}
    for folder in ('posetools', 'tools', 'configs', 'tests', 'projects'):
        for path in (REPO_ROOT / folder).rglob('*.py'):
            if path.resolve() in (definition, Path(__file__).resolve()):
                continue
            digits = re.sub(r'[\s()\[\]{}]', '', path.read_text())
            found.update({(name, str(path.relative_to(REPO_ROOT))): None
                          for name, signature in signatures.items() if signature in digits})
    assert not found, f'skeleton literals outside {definition.name}: {sorted(found)}'
    digits = re.sub(r'[\s()\[\]{}]', '', definition.read_text())
    assert [name for name, signature in signatures.items() if signature not in digits] == [
        'NTU25_MIRROR']  # derived from the sides, not written out
