"""Merkle trees as OpenZeppelin's ``MerkleProof`` verifies them: sorted-pair keccak256.

A parent is ``keccak256(min(a, b) || max(a, b))`` (commutative, so a proof needs no left/right
flags); a level pairs neighbours and carries an odd node out up unchanged, so a proof has at most
``ceil(log2(n))`` hashes. The leaves' order is the caller's: drug serial trees keep unit index
order, research datasets sort their leaves first.

Arguments follow OpenZeppelin: ``verify(proof, root, leaf)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eth_utils import keccak

from medchain.core.errors import InvalidInputError

__all__ = ["hash_pair", "levels", "proof", "root", "verify"]


def hash_pair(a: bytes, b: bytes) -> bytes:
    """``keccak256`` of the sorted pair (OpenZeppelin ``Hashes.commutativeKeccak256``)."""
    return keccak(a + b) if a < b else keccak(b + a)


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree over ``leaves`` (in the order given), leaves first, root last.

    Raises:
        InvalidInputError: no leaves.
    """
    if not leaves:
        raise InvalidInputError("a Merkle tree needs at least one leaf")
    level = [bytes(x) for x in leaves]
    out = [level]
    while len(level) > 1:
        level = [hash_pair(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        out.append(level)
    return out


def root(leaves: Sequence[bytes]) -> bytes:
    """The root of the tree over ``leaves`` (in the order given)."""
    return levels(leaves)[-1][0]


def proof(tree: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """The sibling hashes from leaf ``index`` of ``tree`` (from :func:`levels`) to the root.

    Raises:
        InvalidInputError: ``index`` is not a leaf of the tree.
    """
    if not 0 <= index < len(tree[0]):
        raise InvalidInputError(f"leaf index {index} outside 0..{len(tree[0]) - 1}")
    out = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            out.append(bytes(level[sibling]))
        index //= 2
    return out


def verify(proof: Iterable[bytes], root: bytes, leaf: bytes) -> bool:
    """What OpenZeppelin's ``MerkleProof.verify(proof, root, leaf)`` computes.

    Raises:
        InvalidInputError: ``root`` or ``leaf`` is not 32 bytes (arguments in another order).
    """
    for name, value in (("root", root), ("leaf", leaf)):
        if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
            raise InvalidInputError(f"verify(proof, root, leaf): {name} must be 32 bytes")
    node = bytes(leaf)
    for p in proof:
        node = hash_pair(node, bytes(p))
    return node == bytes(root)
