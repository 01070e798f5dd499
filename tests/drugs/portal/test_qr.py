"""`medchain drugs qr` writes QR codes (PNG, SVG) of Digital Links that the resolver accepts."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import segno
from click.testing import CliRunner

from medchain.cli import cli
from medchain.drugs.portal.qr import qr_code

from .conftest import link

zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (dev extra) decodes the QR codes")


def qr(*args: str):
    result = CliRunner().invoke(cli, ["drugs", "qr", *args])
    assert result.exit_code == 0, result.output
    return [line.split("  ") for line in result.output.splitlines()]


def decode(path) -> str:
    from PIL import Image

    (found,) = zxingcpp.read_barcodes(Image.open(path))
    return found.text


def test_a_packs_qr_code_decodes_to_a_link_the_portal_resolves(client, demo, tmp_path):
    unit = demo.codes["genuine"]
    ((path, uri),) = qr("09506000134352", unit.lot, "--serial", unit.serial, "--expiry", unit.expiry.isoformat(),
                        "--base-url", "https://portal.example/dl", "--out", str(tmp_path))
    assert decode(path) == uri == "https://portal.example/dl" + link(unit)
    scanned = urlsplit(decode(path))
    assert client.get(f"/api{scanned.path}?{scanned.query}").json()["status"] == "genuine"


def test_a_batch_qr_code_leads_to_the_batch(client, demo, tmp_path):
    unit = demo.codes["batch"]
    ((path, uri),) = qr("09506000134352", unit.lot, "--expiry", unit.expiry.isoformat(), "--out", str(tmp_path))
    assert path.endswith("lot-FLU24B.png") and decode(path) == uri
    assert client.get("/api" + urlsplit(uri).path + "?" + urlsplit(uri).query).json()["batch"]["lot"] == "FLU24B"


def test_svg_codes_carry_the_same_link(demo, tmp_path):
    unit = demo.codes["recalled"]
    written = qr(unit.gtin, unit.lot, "--serial", unit.serial, "--serial", "FLU000101", "--expiry",
                 unit.expiry.isoformat(), "--format", "svg", "--out", str(tmp_path))
    assert [p.rsplit("/", 1)[1] for p, _ in written] == ["FLU000100.svg", "FLU000101.svg"]
    assert open(written[0][0]).read().startswith("<?xml") and qr_code(written[0][1]).designator == segno.make_qr(
        written[0][1], error="m", boost_error=False).designator


def test_a_bad_expiry_date_is_refused_in_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["drugs", "qr", "09506000134352", "L1", "--expiry", "2027-02-31", "--out",
                                      str(tmp_path)])
    assert result.exit_code != 0 and "is not a date YYYY-MM-DD" in str(result.exception) and not any(tmp_path.iterdir())
