"""Verifiable randomness for spot-check draws (docs/verifiable-sampling.md).

A draw's seed must not be choosable after its population is known. So the population is
fixed first (its rows are locked), its SHA-256 (``population_hash``, over canonical JSON of
the department, matter, ungraded count and, per grade, the sorted task numbers, the policy
and the sample size) is appended to the transparency register as a leaf, and the platform
signs a checkpoint that covers that leaf. The seed is

    SHA-256("chengnuo-sampling-v1\\n" || root_hash || population_hash || phrase)  (hex)

where ``root_hash`` is that checkpoint's root: a value nobody could know before the
population was in the log. ``phrase`` is the supervisor's optional words (UTF-8). Everything
needed to check it is kept in the draw's inputs under ``"beacon"``; ``scripts/verify_draw.py``
recomputes the draw from them with the standard library alone.
"""

from __future__ import annotations

import hashlib
import json

from signing.register.merkle import leaf_hash
from signing.register.receipts import checkpoint_json
from signing.register.selectors import inclusion_proof
from signing.register.services import checkpoint_create, log_append

SEED_DOMAIN = b"chengnuo-sampling-v1\n"
LEAF_EVENT = "sampling"


def population_hash(inputs: dict) -> bytes:
    """SHA-256 of the canonical JSON of what the draw is drawn from (not what it selects)."""
    fixed = {
        "department": inputs["department"],
        "matter": inputs["matter"],
        "ungraded": inputs["ungraded"],
        "grades": inputs["grades"],
    }
    text = json.dumps(fixed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).digest()


def seed_from(*, root: bytes, population: bytes, phrase: str) -> str:
    return hashlib.sha256(SEED_DOMAIN + root + population + phrase.encode()).hexdigest()


def beacon_seed(*, inputs: dict, phrase: str) -> tuple[str, dict]:
    """Log the population, sign a checkpoint over it and derive the seed; return the seed and
    what is published with the draw (population hash, leaf, inclusion proof, checkpoint)."""
    digest = population_hash(inputs)
    leaf = leaf_hash(digest)
    appended = log_append([(leaf, LEAF_EVENT)])
    checkpoint = checkpoint_create(tree_size=appended.tree_size, root=appended.root_hash)
    proof = inclusion_proof(index=appended.first_index, tree_size=checkpoint.tree_size)
    seed = seed_from(root=bytes(checkpoint.root_hash), population=digest, phrase=phrase)
    return seed, {
        "version": 1,
        "population_hash": digest.hex(),
        "phrase": phrase,
        "leaf_index": appended.first_index,
        "leaf_hash": leaf.hex(),
        "inclusion_proof": [value.hex() for value in proof],
        "checkpoint": checkpoint_json(checkpoint),
    }
