// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IParticipantRegistry, Roles} from "../interfaces/IParticipantRegistry.sol";
import {IAttestationTree} from "../interfaces/IAttestationTree.sol";
import {PoseidonT3} from "./PoseidonT3.sol";

/// @title AttestationTree
/// @notice Hospitals append commitments to patients' attested values, Poseidon(patientPublicId, age,
/// HbA1c x 10, diagnosis, salt), computed off chain; the tree is an incremental Poseidon(2) Merkle
/// tree of depth 16 (65,536 leaves, an empty leaf is 0), as circuits/eligibility.circom recomputes it.
/// @dev The 30 most recent roots are accepted (`isKnownRoot`), so a proof made against a root stays
/// valid while up to 29 later insertions land. Each root maps to the leaf count that produced it: one
/// storage read per look-up.
contract AttestationTree is IAttestationTree {
    /// @notice The tree's depth (the circuit's DEPTH).
    uint256 public constant DEPTH = 16;
    /// @notice How many of the latest roots `isKnownRoot` accepts.
    uint256 public constant ROOT_HISTORY = 30;

    IParticipantRegistry private immutable _registry;
    uint256 private _leafCount;
    uint256 private _root;
    uint256[DEPTH] private _filled;
    mapping(uint256 root => uint256 leafCount) private _rootAt;

    /// @param participantRegistry The participant directory (the hospital role).
    constructor(address participantRegistry) {
        _registry = IParticipantRegistry(participantRegistry);
        _root = _zero(ZEROS, DEPTH);
    }

    /// @notice Appends `leaf`; the caller must be an active hospital.
    /// @dev Emits {LeafInserted}. Reverts `LeafNotInField` for a leaf at or above the scalar field order
    /// or zero (the empty leaf), `TreeFull` past 2^16 leaves.
    function insert(uint256 leaf) external returns (uint256 index) {
        _registry.requireRole(msg.sender, Roles.HOSPITAL);
        if (leaf == 0 || leaf >= PoseidonT3.FIELD) revert LeafNotInField(leaf);
        index = _leafCount;
        if (index >= 1 << DEPTH) revert TreeFull();
        bytes memory zeros = ZEROS;
        uint256 node = leaf;
        uint256 i = index;
        // A left node is stored only once complete: at the level of the index's trailing ones, the
        // one level where this leaf completes a left subtree. One storage write per insertion.
        bool stored = false;
        for (uint256 level = 0; level < DEPTH; ++level) {
            if (i & 1 == 0) {
                if (!stored) {
                    _filled[level] = node;
                    stored = true;
                }
                node = PoseidonT3.hash(node, _zero(zeros, level));
            } else {
                node = PoseidonT3.hash(_filled[level], node);
            }
            i >>= 1;
        }
        _leafCount = index + 1;
        _root = node;
        _rootAt[node] = index + 1;
        emit LeafInserted(index, leaf, node);
    }

    /// @notice Whether `root_` is one of the `ROOT_HISTORY` latest roots (never the empty tree's).
    function isKnownRoot(uint256 root_) external view returns (bool) {
        uint256 at = _rootAt[root_];
        return at != 0 && _leafCount - at < ROOT_HISTORY;
    }

    /// @notice The current root.
    function root() external view returns (uint256) {
        return _root;
    }

    /// @notice How many leaves have been appended.
    function leafCount() external view returns (uint256) {
        return _leafCount;
    }

    /// @dev The roots of the empty subtrees of heights 0 to 16, 32 bytes each: zero(0) = 0,
    /// zero(l + 1) = Poseidon(zero(l), zero(l)) (tested against medchain.core.poseidon).
    bytes private constant ZEROS =
        hex"00000000000000000000000000000000000000000000000000000000000000002098f5fb9e239eab3ceac3f27b81e481dc3124d55ffed523a839ee8446b64864"
        hex"1069673dcdb12263df301a6ff584a7ec261a44cb9dc68df067a4774460b1f1e118f43331537ee2af2e3d758d50f72106467c6eea50371dd528d57eb2b856d238"
        hex"07f9d837cb17b0d36320ffe93ba52345f1b728571a568265caac97559dbc952a2b94cf5e8746b3f5c9631f4c5df32907a699c58c94b2ad4d7b5cec1639183f55"
        hex"2dee93c5a666459646ea7d22cca9e1bcfed71e6951b953611d11dda32ea09d78078295e5a22b84e982cf601eb639597b8b0515a88cb5ac7fa8a4aabe3c87349d"
        hex"2fa5e5f18f6027a6501bec864564472a616b2e274a41211a444cbe3a99f3cc610e884376d0d8fd21ecb780389e941f66e45e7acce3e228ab3e2156a614fcd747"
        hex"1b7201da72494f1e28717ad1a52eb469f95892f957713533de6175e5da190af21f8d8822725e36385200c0b201249819a6e6e1e4650808b5bebc6bface7d7636"
        hex"2c5d82f66c914bafb9701589ba8cfcfb6162b0a12acf88a8d0879a0471b5f85a14c54148a0940bb820957f5adf3fa1134ef5c4aaa113f4646458f270e0bfbfd0"
        hex"190d33b12f986f961e10c0ee44d8b9af11be25588cad89d416118e4bf4ebe80c22f98aa9ce704152ac17354914ad73ed1167ae6596af510aa5b3649325e06c92"
        hex"2a7c7c9b6ce5880b9f6f228d72bf6a575a526f29c66ecceef8b753d38bba7323";

    /// @dev zero(level) from the constant copied to memory once per call.
    function _zero(bytes memory zeros, uint256 level) private pure returns (uint256 z) {
        assembly ("memory-safe") {
            z := mload(add(add(zeros, 0x20), shl(5, level)))
        }
    }
}
