"""Redaction: stable placeholders, every kind masked, the answer restored."""

from __future__ import annotations

from oci_inventory.genai.redact import Redactor


def test_ocids_get_stable_typed_placeholders() -> None:
    r = Redactor()
    a = "ocid1.instance.oc1.iad.aaaaaaaabbbbbbbcccccc"
    b = "ocid1.instance.oc1.phx.aaaaaaaaddddddd"
    text = r.redact(f"{a} then {b} then {a} in ocid1.compartment.oc1..aaaaaaaaxyz")
    assert text == "<instance-1> then <instance-2> then <instance-1> in <compartment-1>"
    assert r.restore("see <instance-2> and <instance-1>, not <instance-9>") == f"see {b} and {a}, not <instance-9>"
    assert r.counts()["ocids"] == 3


def test_addresses_emails_and_literals() -> None:
    r = Redactor()
    r.sensitive("tenancy", ["acme-prod"])
    r.sensitive("namespace", ["axq7namespace"])
    r.sensitive("compartment", ["finance", "fin"])
    r.sensitive("name", ['web "01"\n<b>'])
    r.sensitive("secret", ["s3cr3tV4lu3AAAAAAAAAAAAAAAA"])
    text = r.redact(
        "acme-prod owns 10.0.1.17/24 and 2001:db8::8a2e:370:7334 at 12:30:45; mail ops@acme.example; bucket in "
        'axq7namespace; /finance/fin; web "01"\n<b> tagged s3cr3tV4lu3AAAAAAAAAAAAAAAA; financed stays'
    )
    for secret in ("acme-prod", "10.0.1.17", "2001:db8", "ops@acme.example", "axq7namespace", "s3cr3t", '"01"'):
        assert secret not in text
    assert "<ip-1>/24" in text and "12:30:45" in text and "financed stays" in text
    assert "/<compartment-name-1>/<compartment-name-2>" in text
    assert r.restore(text).startswith("acme-prod owns 10.0.1.17/24")
    counts = r.counts()
    assert counts["ip_addresses"] == 2 and counts["emails"] == 1 and counts["tenancy_name"] == 1
    assert counts["compartment_names"] == 2 and counts["resource_names"] == 1 and counts["secrets"] == 1


def test_short_names_are_masked_where_their_place_is_known() -> None:
    r = Redactor()
    assert r.mask("compartment", "db") == "<compartment-name-1>"
    assert r.redact("a db in db") == "a db in db", "a two-letter name is not searched for in free text"
