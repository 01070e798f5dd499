"""The one time rule (core.times) and the one Merkle helper (core.merkle) every domain uses."""

from __future__ import annotations

import datetime as dt

import pytest

from medchain.core import merkle
from medchain.core.errors import InvalidInputError
from medchain.core.times import to_unix


@pytest.mark.parametrize("value, expected", [
    ("1704067200", 1704067200), (1704067200, 1704067200), ("2024-01-01", 1704067200), (dt.date(2024, 1, 1), 1704067200),
    ("2024-01-01T00:00:00Z", 1704067200), ("2024-01-01T01:00:00+01:00", 1704067200),
    (dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), 1704067200),
])
def test_times_with_a_zone_dates_and_unix_seconds_are_read(value, expected):
    assert to_unix(value) == expected


@pytest.mark.parametrize("value", ["2024-01-01T09:30:00", "2024-01-01 09:30", dt.datetime(2024, 1, 1, 9, 30)])
def test_a_time_without_a_zone_is_refused_on_one_line(value):
    with pytest.raises(InvalidInputError, match=r"^start .* has no time zone: .*$") as info:
        to_unix(value, "start")
    assert "\n" not in str(info.value)


def test_a_date_is_refused_where_a_time_is_required():
    with pytest.raises(InvalidInputError, match="is a date"):
        to_unix("2024-01-01", "reading", dates=False)
    assert to_unix("2024-12-31", end=True) == 1735689599


def test_readings_csv_times_follow_the_rule(tmp_path):
    from medchain.drugs import read_readings_csv

    path = tmp_path / "r.csv"
    path.write_text("time,temperature_c\n2025-01-11T10:00:00,4\n")
    with pytest.raises(InvalidInputError, match="readings row 2: time .* add Z"):
        read_readings_csv(path)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_every_proof_verifies_and_the_pair_hash_commutes(n):
    leaves = [bytes([i]) * 32 for i in range(n)]
    tree = merkle.levels(leaves)
    assert merkle.root(leaves) == tree[-1][0]
    assert merkle.hash_pair(leaves[0], b"\xff" * 32) == merkle.hash_pair(b"\xff" * 32, leaves[0])
    for i, leaf in enumerate(leaves):
        assert merkle.verify(merkle.proof(tree, i), tree[-1][0], leaf)
    assert not merkle.verify([], tree[-1][0], b"\x99" * 32)


def test_the_old_drugs_argument_order_is_refused_not_answered_false():
    leaves = [b"\x01" * 32, b"\x02" * 32]
    root, proof = merkle.root(leaves), merkle.proof(merkle.levels(leaves), 0)
    with pytest.raises(InvalidInputError, match=r"verify\(proof, root, leaf\)"):
        merkle.verify(root, leaves[0], proof)  # type: ignore[arg-type]
