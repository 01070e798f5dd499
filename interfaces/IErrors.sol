// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/*//////////////////////////////////////////////////////////////
                        SHARED CUSTOM ERRORS
//////////////////////////////////////////////////////////////*/

// Errors raised by several MedChain contracts, declared once at file level. A file-level error is
// part of a contract's ABI exactly when the contract can raise it, and its selector depends only on
// its signature, so every contract raising one reports the same selector as before.

/// @notice An address argument that must be set is zero (a constructor dependency, an enrolled
/// patient, a network provider, a reviewer, a registered organisation).
error ZeroAddress();

/// @notice An EIP-712 signed request was relayed after its `deadline` (inclusive: a request is
/// usable while `block.timestamp <= deadline`).
/// @param deadline The deadline the signer set.
error SignatureExpired(uint256 deadline);

/// @notice A signature is malformed: not 65 bytes, an `s` value in the upper half of the curve
/// order (EIP-2 malleability), or no recoverable signer.
error InvalidSignature();

/// @notice A well-formed signature recovers to an account that may not sign this request: another
/// key, the same request signed under another chain id or another verifying contract, or (where the
/// nonce is part of the signed message) a nonce that is not the signer's current one.
/// @param patient The account whose signature the request needs (the patient, or the trial subject).
/// @param signer The account the signature actually recovers to.
error WrongSigner(address patient, address signer);
