// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IAttestationTree
/// @notice An append-only Poseidon Merkle tree of hospital attestation commitments, the set a patient
/// proves membership in (circuits/eligibility.circom) without revealing which leaf is theirs.
interface IAttestationTree {
    error TreeFull();
    error LeafNotInField(uint256 leaf);

    /// @notice A commitment was appended: its index and value only, never a clinical datum.
    event LeafInserted(uint256 indexed index, uint256 leaf, uint256 root);

    function insert(uint256 leaf) external returns (uint256 index);
    function isKnownRoot(uint256 root) external view returns (bool);
    function root() external view returns (uint256);
    function leafCount() external view returns (uint256);
}
