// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimAdjudication, Carc} from "../../interfaces/IClaimAdjudication.sol";

/// @title CostSharing
/// @notice The cost sharing of an approved claim line under a plan, against the patient's yearly
/// accumulators.
/// @dev In this order: deductible (up to what remains of the annual deductible), the service
/// class's copay, coinsurance on the rest (rounded down, in the patient's favour); the patient's
/// share is capped at what remains of the out-of-pocket maximum (coinsurance is cut first, then
/// copay, then deductible); the payer amount is capped at what remains of the annual benefit
/// limit, the excess becoming patient responsibility (CARC 119). A line with no benefit left is
/// denied (CARC 119). Internal functions: inlined into ClaimAdjudication (no library to deploy).
library CostSharing {
    uint256 private constant BPS = 10_000;

    /// @notice Applies `p`'s cost sharing to `o.allowed` (service class `serviceClass`), filling
    /// the outcome's amounts and status, and adds the line to the accumulators `acc` (in memory:
    /// the caller stores them).
    /// @param p The plan.
    /// @param acc The patient's accumulators of the service year, updated.
    /// @param o The line's outcome: `allowed` is read, the rest written.
    /// @param serviceClass The line's service class (its copay).
    function share(
        IClaimAdjudication.Plan storage p,
        IClaimAdjudication.Accumulator memory acc,
        IClaimAdjudication.Outcome memory o,
        uint8 serviceClass
    ) internal view {
        uint256 benefitLeft = p.benefitLimit - acc.benefitUsed;
        if (benefitLeft == 0) {
            o.status = IClaimAdjudication.LineStatus.Denied;
            o.reason = Carc.BENEFIT_MAXIMUM;
            o.allowed = 0;
            return;
        }
        uint256 allowed = o.allowed;
        uint256 deductible = _min(allowed, p.deductible - acc.deductibleMet);
        uint256 rest = allowed - deductible;
        uint256 copay = _min(p.copays[serviceClass], rest);
        uint256 coinsurance = (rest - copay) * p.coinsuranceBps / BPS;
        uint256 oopLeft = p.outOfPocketMax - acc.outOfPocket;
        uint256 patientShare = deductible + copay + coinsurance;
        if (patientShare > oopLeft) {
            uint256 excess = patientShare - oopLeft;
            uint256 cut = _min(excess, coinsurance);
            coinsurance -= cut;
            excess -= cut;
            cut = _min(excess, copay);
            copay -= cut;
            deductible -= excess - cut;
            patientShare = oopLeft;
        }
        uint256 payer = allowed - patientShare;
        uint256 overflow;
        if (payer > benefitLeft) {
            overflow = payer - benefitLeft;
            payer = benefitLeft;
            o.reason = Carc.BENEFIT_MAXIMUM;
        }
        acc.deductibleMet += uint80(deductible);
        acc.outOfPocket += uint80(patientShare);
        acc.benefitUsed += uint80(payer);
        o.status = IClaimAdjudication.LineStatus.Approved;
        o.deductible = deductible;
        o.copay = copay;
        o.coinsurance = coinsurance;
        o.patientResponsibility = patientShare + overflow;
        o.payer = payer;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
