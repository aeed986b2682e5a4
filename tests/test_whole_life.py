"""One person through `add` and `sync` on real files of four channels: card, email, WhatsApp, Venmo."""

from __future__ import annotations

import json

from click.testing import CliRunner

from homebody.cli import cli

CARD = """BEGIN:VCARD
VERSION:3.0
FN:Sam Okafor
N:Okafor;Sam;;;
EMAIL;TYPE=INTERNET:sam.okafor@example.com
TEL;TYPE=CELL:+44 7700 900123
END:VCARD
"""

MAIL = """From sam.okafor@example.com Fri Oct 02 09:14:00 2026
Message-ID: <tickets-1@example.com>
Date: Fri, 02 Oct 2026 09:14:00 +0100
From: Sam Okafor <sam.okafor@example.com>
To: Maya Lindqvist <maya@example.com>
Subject: Concert tickets

I bought the Marrow & Tide tickets, I owe you for the drinks.

"""

CHAT = """02/10/2026, 18:01 - +44 7700 900123: tickets are in your inbox!
02/10/2026, 18:03 - Maya Lindqvist: thank you!!
"""

VENMO = (
    "Account Statement - (@Maya-Lindqvist) ,,,,,,,,,,,,,,,,,,,,,\n"
    "Account Activity,,,,,,,,,,,,,,,,,,,,,\n"
    ",ID,Datetime,Type,Status,Note,From,To,Amount (total),Amount (tip),Amount (tax),Amount (fee),"
    "Tax Rate,Tax Exempt,Funding Source,Destination,Beginning Balance,Ending Balance,"
    "Statement Period Venmo Fees,Terminal Location,Year to Date Venmo Fees,Disclaimer\n"
    ",,,,,,,,,,,,,,,,$100.00,,,,,\n"
    ",3981234567890123456,2026-10-03T18:22:05,Payment,Complete,concert tickets,Maya Lindqvist,"
    "Sam Okafor,- $45.00,,0,,0,,Venmo balance,,,,,Venmo,,\n"
    ",,,,,,,,,,,,,,,,,$55.00,$0.00,,$0.00,Venmo disclaimer\n"
)


def test_one_person_joins_card_email_whatsapp_and_venmo(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMEBODY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOMEBODY_REGION", "GB")
    files = {
        "contacts.vcf": CARD,
        "mail.mbox": MAIL,
        "WhatsApp Chat with Sam.txt": CHAT,
        "venmo_statement.csv": VENMO,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    runner = CliRunner()
    for kind, name in (
        ("vcard", "contacts.vcf"),
        ("mbox", "mail.mbox"),
        ("whatsapp", "WhatsApp Chat with Sam.txt"),
        ("venmo", "venmo_statement.csv"),
    ):
        result = runner.invoke(cli, ["add", kind, str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    synced = runner.invoke(cli, ["sync", "--quiet"])
    assert synced.exit_code == 0 and "bad record" not in synced.output, synced.output
    result = runner.invoke(cli, ["person", "Sam Okafor", "--json"])
    assert result.exit_code == 0, result.output
    sam = json.loads(result.output)
    assert sam["name"] == "Sam Okafor"
    assert set(sam["channels"]) == {"vcard", "mbox", "whatsapp", "venmo"}
    assert {(i["kind"], i["value"]) for i in sam["identities"]} >= {
        ("email", "sam.okafor@example.com"),
        ("phone", "+447700900123"),
        ("name", "sam okafor"),
    }
    reasons = " / ".join(j["reason"] for j in sam["joined_because"])
    assert "contact card 'Sam Okafor'" in reasons
    ask = runner.invoke(cli, ["search", "tickets", "--person", "Sam", "--json"])
    kinds = {h["source_kind"] for h in json.loads(ask.output)}
    assert kinds == {"mbox", "whatsapp", "venmo"}
