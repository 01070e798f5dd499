// SPDX-License-Identifier: GPL-3.0-only
// MedChain trial eligibility circuit (issue 18).
//
// This file includes circomlib templates (GPL-3.0) and is distributed under GPL-3.0:
// see circuits/LICENSE and circuits/NOTICE. The rest of MedChain is MIT.
//
// Statement proved, without revealing which attestation or the patient's values:
//   (a) the prover knows the opening of one leaf of the hospital attestation tree (depth DEPTH)
//       whose root is `root`:
//         leaf = Poseidon5(patientPublicId, ageYears, hba1cTimes10, diagnosis, salt)
//         patientPublicId = Poseidon1(patientSecret)
//       and nullifier = Poseidon2(patientSecret, trialId): only the patient, who holds
//       patientSecret, can prove or compute the nullifier; the hospital knows patientPublicId only;
//   (b) the values meet the trial's criteria, packed in one public field element `criteria`:
//         bits   0..7   minAge            (age      >= minAge)
//         bits   8..23  hba1cMin          (hba1c    >= hba1cMin)
//         bits  24..39  hba1cMax          (hba1c    <= hba1cMax)
//         bits  40+16i  allowed[i], i<8   (diagnosis == allowed[i] for some i; 0 = unused slot,
//                                          diagnosis 0 never matches)
//   (c) the proof is bound to `enroller` (the enrolling address), constrained by a square.
pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

// One level of the Merkle path: (left, right) = bit ? (sibling, cur) : (cur, sibling).
template PathLevel() {
    signal input cur;
    signal input sibling;
    signal input bit;
    signal output out;
    bit * (1 - bit) === 0;
    signal d;
    d <== bit * (sibling - cur);
    component h = Poseidon(2);
    h.inputs[0] <== cur + d;
    h.inputs[1] <== sibling - d;
    out <== h.out;
}

template Eligibility(DEPTH, NCODES) {
    // public inputs (in this order: root, trialId, nullifier, enroller, criteria)
    signal input root;
    signal input trialId;
    signal input nullifier;
    signal input enroller;
    signal input criteria;

    // private inputs
    signal input patientSecret;
    signal input ageYears;
    signal input hba1cTimes10;
    signal input diagnosis;
    signal input salt;
    signal input pathElements[DEPTH];
    signal input pathIndices[DEPTH];

    // the criteria, unpacked: private signals whose packing equals the public `criteria`
    signal input minAge;
    signal input hba1cMin;
    signal input hba1cMax;
    signal input allowed[NCODES];

    // ---- range checks: every comparator input fits its comparator's width
    component rAge = Num2Bits(8);       rAge.in <== ageYears;
    component rMinAge = Num2Bits(8);    rMinAge.in <== minAge;
    component rH = Num2Bits(16);        rH.in <== hba1cTimes10;
    component rHMin = Num2Bits(16);     rHMin.in <== hba1cMin;
    component rHMax = Num2Bits(16);     rHMax.in <== hba1cMax;
    component rDiag = Num2Bits(16);     rDiag.in <== diagnosis;
    component rAllowed[NCODES];
    for (var i = 0; i < NCODES; i++) {
        rAllowed[i] = Num2Bits(16);
        rAllowed[i].in <== allowed[i];
    }

    // ---- criteria packing (40 + 16*NCODES bits < 254: the unpacking is unique)
    var acc = minAge + hba1cMin * (1 << 8) + hba1cMax * (1 << 24);
    for (var i = 0; i < NCODES; i++) {
        acc += allowed[i] * (1 << (40 + 16 * i));
    }
    criteria === acc;

    // ---- (b) the values meet the criteria
    component ageOk = GreaterEqThan(8);
    ageOk.in[0] <== ageYears;
    ageOk.in[1] <== minAge;
    ageOk.out === 1;

    component hMinOk = GreaterEqThan(16);
    hMinOk.in[0] <== hba1cTimes10;
    hMinOk.in[1] <== hba1cMin;
    hMinOk.out === 1;

    component hMaxOk = LessEqThan(16);
    hMaxOk.in[0] <== hba1cTimes10;
    hMaxOk.in[1] <== hba1cMax;
    hMaxOk.out === 1;

    // diagnosis != 0 and diagnosis is one of allowed[]: the product of the differences is zero
    component diagZero = IsZero();
    diagZero.in <== diagnosis;
    diagZero.out === 0;
    signal prod[NCODES + 1];
    prod[0] <== 1;
    for (var i = 0; i < NCODES; i++) {
        prod[i + 1] <== prod[i] * (diagnosis - allowed[i]);
    }
    prod[NCODES] === 0;

    // ---- (a) the leaf and its Merkle path
    component pid = Poseidon(1);
    pid.inputs[0] <== patientSecret;

    component leaf = Poseidon(5);
    leaf.inputs[0] <== pid.out;
    leaf.inputs[1] <== ageYears;
    leaf.inputs[2] <== hba1cTimes10;
    leaf.inputs[3] <== diagnosis;
    leaf.inputs[4] <== salt;

    component levels[DEPTH];
    for (var i = 0; i < DEPTH; i++) {
        levels[i] = PathLevel();
        if (i == 0) {
            levels[i].cur <== leaf.out;
        } else {
            levels[i].cur <== levels[i - 1].out;
        }
        levels[i].sibling <== pathElements[i];
        levels[i].bit <== pathIndices[i];
    }
    root === levels[DEPTH - 1].out;

    // ---- the nullifier: from the patient's secret and the trial only
    component nul = Poseidon(2);
    nul.inputs[0] <== patientSecret;
    nul.inputs[1] <== trialId;
    nullifier === nul.out;

    // ---- (c) bind the enroller (a public input used in no other constraint)
    signal enrollerSquare;
    enrollerSquare <== enroller * enroller;
}

component main {public [root, trialId, nullifier, enroller, criteria]} = Eligibility(16, 8);
