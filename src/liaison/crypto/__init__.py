"""Node keys, canonical JSON, Merkle batch signatures and their wire form."""

from liaison.crypto.canonical import (
    JSON_INT_MAX,
    CanonicalizationError,
    canonical_digest,
    canonical_json,
    canonical_json_reference,
)
from liaison.crypto.envelope import (
    EXT_SIGNATURE,
    SignatureError,
    VerifiedObject,
    attach_signature,
    sign_objects,
    signed_body,
    strip_signature,
    verify_attached,
)
from liaison.crypto.keys import (
    KEY_FILE_MODE,
    KeyFileError,
    NodeKey,
    PublicKey,
    create_key,
    key_id_of,
    load_key,
)
from liaison.crypto.merkle import build_tree, leaf_hash, node_hash, root_from_proof
from liaison.crypto.seal import (
    ALG,
    BatchSeal,
    RootCache,
    seal_batch,
    seal_message,
    verify_digest,
    verify_root,
)

__all__ = [
    "ALG",
    "EXT_SIGNATURE",
    "JSON_INT_MAX",
    "KEY_FILE_MODE",
    "BatchSeal",
    "CanonicalizationError",
    "KeyFileError",
    "NodeKey",
    "PublicKey",
    "RootCache",
    "SignatureError",
    "VerifiedObject",
    "attach_signature",
    "build_tree",
    "canonical_digest",
    "canonical_json",
    "canonical_json_reference",
    "create_key",
    "key_id_of",
    "leaf_hash",
    "load_key",
    "node_hash",
    "root_from_proof",
    "seal_batch",
    "seal_message",
    "sign_objects",
    "signed_body",
    "strip_signature",
    "verify_attached",
    "verify_digest",
    "verify_root",
]
