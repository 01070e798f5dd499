// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {InvalidSignature, SignatureExpired, WrongSigner} from "../../interfaces/IErrors.sol";

/// @title SignedRequests
/// @notice The EIP-712 signed requests of a MedChain contract, checked in one place: a deadline,
/// a per-account nonce (OpenZeppelin {Nonces}) and a signature recovered under this contract's
/// domain.
/// @dev The domain separator is OpenZeppelin's {EIP712}: cached for the deployment chain and
/// recomputed when `block.chainid` differs (a fork), so a signature made for another chain id or
/// another verifying contract recovers to another address ({WrongSigner}). {ECDSA.tryRecover}
/// refuses signatures that are not 65 bytes, high-s signatures (EIP-2) and those recovering to
/// zero: all of them are {InvalidSignature}. How the nonce is used is the inheriting contract's
/// choice: inside the signed message with {Nonces._useNonce} (a stale nonce recovers to another
/// signer) or checked after recovery with {Nonces._useCheckedNonce}.
abstract contract SignedRequests is EIP712, Nonces {
    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param name The EIP-712 domain name (version "1").
    constructor(string memory name) EIP712(name, "1") {}

    /*//////////////////////////////////////////////////////////////
                              PUBLIC READ
    //////////////////////////////////////////////////////////////*/

    /// @notice The EIP-712 domain separator this contract's signed requests are made under (it
    /// follows the chain id).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts with {SignatureExpired} when `block.timestamp > deadline`.
    function _checkDeadline(uint256 deadline) internal view {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
    }

    /// @dev The signer of `structHash` under this contract's domain; {InvalidSignature} when the
    /// signature is malformed (length, high s, no signer).
    function _recoverSigner(bytes32 structHash, bytes calldata signature) internal view returns (address signer) {
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature();
    }

    /// @dev {_recoverSigner}, then {WrongSigner} unless the signer is `expected`.
    function _checkSigner(address expected, bytes32 structHash, bytes calldata signature) internal view {
        address signer = _recoverSigner(structHash, signature);
        if (signer != expected) revert WrongSigner(expected, signer);
    }
}
