// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IEligibilityVerifier
/// @notice The Groth16 verifier of circuits/eligibility.circom (contracts/EligibilityVerifier.sol).
interface IEligibilityVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[5] calldata input
    ) external view returns (bool);
}

/// @title IPrivateEnrolment
/// @notice Enrolment in a trial with a zero-knowledge proof of eligibility (issue 18): the sponsor
/// publishes the trial's criteria; a patient proves that a hospital attestation in the
/// AttestationTree meets them without revealing its values or which attestation it is. A nullifier,
/// Poseidon(patient secret, trial id), allows one enrolment per patient and trial.
interface IPrivateEnrolment {
    /// @notice The eligibility criteria, packed as the circuit's public `criteria` input:
    /// minAge | hba1cMin << 8 | hba1cMax << 24 | allowed[i] << (40 + 16 i), eight 16-bit codes, 0 = unused.
    error InvalidCriteria();
    error NoCriteria(uint256 trialId);
    error InvalidProof();
    error NullifierUsed(uint256 nullifier);
    error UnknownRoot(uint256 root);

    event EligibilityCriteriaSet(uint256 indexed trialId, uint256 criteria);
    /// @notice `subject` enrolled with a proof: no site, no clinical datum, only the nullifier and root.
    event SubjectEnrolledWithProof(uint256 indexed trialId, address indexed subject, uint256 nullifier, uint256 root);

    function setEligibilityCriteria(
        uint256 trialId,
        uint8 minAge,
        uint16 hba1cMin,
        uint16 hba1cMax,
        uint16[] calldata allowedDiagnoses
    ) external;
    function enrolWithProof(uint256 trialId, uint256[8] calldata proof, uint256 root, uint256 nullifier) external;
    function eligibilityCriteria(uint256 trialId) external view returns (uint256);
    function nullifierUsed(uint256 nullifier) external view returns (bool);
}
