"""Release policies: what each partner receives of this node's records, and in what form.

Pure functions over typed values. ``load_policies`` compiles the ``[partners.NAME]``
tables of ``liaison.toml``; ``decide`` says whether (and when, and how transformed)
a partner receives one record version; ``explain`` says why. Default deny; person
records never leave; records received from a partner go no further unless their
originator's onward-release marking allows it. What depends on the node's state
(its own identity and designations, revocations, materialising, withdrawing) is
`liaison.release`, which calls ``decide``. The reference is ``docs/policy.md``.
"""

from __future__ import annotations

from ._config import PolicyError, check, load_policies, parse_duration
from ._decide import Decision, decide, release_time_ms, revocation
from ._explain import Explanation, explain
from ._fields import FIELDS_OF_KIND, PROTECTED_FIELDS, KindFields
from ._geo import MAX_COARSEN_M, cell_radius_m, distance_m, resolution_for
from ._marking import ONWARD_RELEASE_MARKING_ID, onward_release_marking
from ._model import DESIGNATION_VALUES, Area, PartnerPolicy, Policies, Rule
from ._select import DesignationLookup, mismatch
from ._transform import coarsen_point, transform

__all__ = [
    "DESIGNATION_VALUES",
    "FIELDS_OF_KIND",
    "MAX_COARSEN_M",
    "ONWARD_RELEASE_MARKING_ID",
    "PROTECTED_FIELDS",
    "Area",
    "Decision",
    "DesignationLookup",
    "Explanation",
    "KindFields",
    "PartnerPolicy",
    "Policies",
    "PolicyError",
    "Rule",
    "cell_radius_m",
    "check",
    "coarsen_point",
    "decide",
    "distance_m",
    "explain",
    "load_policies",
    "mismatch",
    "onward_release_marking",
    "parse_duration",
    "release_time_ms",
    "resolution_for",
    "revocation",
    "transform",
]
