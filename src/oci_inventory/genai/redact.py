"""Redaction before anything leaves the machine, and restoration of the model's answer.

:class:`Redactor` replaces, in any text given to it:

* OCIDs with stable placeholders named by their type: ``<instance-1>``, ``<compartment-2>`` (the same OCID always
  gets the same placeholder within one redactor);
* IPv4 and IPv6 addresses (``<ip-1>``; a CIDR keeps its prefix length) and e-mail addresses (``<email-1>``);
* literal values it was told are sensitive: the tenancy name (``<tenancy>``), Object Storage namespaces
  (``<namespace-1>``), compartment names (``<compartment-name-1>``), resource names (``<name-1>``) and tag
  values that look like secrets (``<secret-1>``). Longer values are replaced first, so a name that contains
  another is masked whole.

The mapping (placeholder -> original) stays in memory on this machine; :meth:`restore` puts the originals back into
the model's answer, so a report shows real names that were never sent. :meth:`counts` says how many distinct values
of each kind were masked (``genai_summary.redactions`` in ``run_summary.json``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

OCID = re.compile(r"\bocid1\.([a-z0-9_-]+)\.[a-z0-9_-]*\.[a-z0-9_-]*\.[A-Za-z0-9_.-]+", re.I)
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\w)")
IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:)[0-9A-Fa-f:]*[0-9A-Fa-f][0-9A-Fa-f:.]*(?![\w:])")
PLACEHOLDER = re.compile(r"<(tenancy|[a-z][a-z0-9_-]*-\d+)>")
#: Kinds of literal values, in the order they are registered, with the stem of their placeholders.
LITERAL_KINDS = {"tenancy": "tenancy", "namespace": "namespace", "compartment": "compartment-name",
                 "name": "name", "secret": "secret"}  # fmt: skip
COUNT_KEYS = ("ocids", "ip_addresses", "emails", "tenancy_name", "namespaces", "compartment_names",
              "resource_names", "secrets")  # fmt: skip
_LITERAL_COUNT = {"tenancy": "tenancy_name", "namespace": "namespaces", "compartment": "compartment_names",
                  "name": "resource_names", "secret": "secrets"}  # fmt: skip
MIN_LITERAL = 3  # shorter literal values ("a", "db") would mask ordinary words; patterns still apply to them


class Redactor:
    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}  # placeholder -> original
        self._by_value: dict[str, str] = {}  # original -> placeholder
        self._next: dict[str, int] = {}
        self._counts: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)
        self._literals: dict[str, str] = {}  # value -> kind
        self._literal_re: re.Pattern[str] | None = None

    # ------------------------------------------------------------------ registering
    def sensitive(self, kind: str, values: Iterable[str | None]) -> None:
        """Values of ``kind`` (a key of :data:`LITERAL_KINDS`) to mask wherever they appear."""
        if kind not in LITERAL_KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        for value in values:
            if value and len(value.strip()) >= MIN_LITERAL and value not in self._literals:
                self._literals[value] = kind
        self._literal_re = None

    def _placeholder(self, stem: str, original: str, count_key: str) -> str:
        found = self._by_value.get(original)
        if found is not None:
            return found
        if stem == "tenancy":
            holder = "<tenancy>"
        else:
            n = self._next.get(stem, 0) + 1
            self._next[stem] = n
            holder = f"<{stem}-{n}>"
        self._by_value[original] = holder
        self.mapping[holder] = original
        self._counts[count_key] += 1
        return holder

    def mask(self, kind: str, value: str) -> str:
        """The placeholder of ``value`` as a ``kind`` (any length: for values whose place is known, such as the
        segments of a compartment path); also registers it for :meth:`redact`."""
        if not value:
            return value
        self.sensitive(kind, [value])
        return self._placeholder(LITERAL_KINDS[kind], value, _LITERAL_COUNT[kind])

    # ------------------------------------------------------------------ redacting
    def _ocid(self, m: re.Match[str]) -> str:
        stem = re.sub(r"[^a-z0-9]", "", m.group(1).lower()) or "ocid"
        return self._placeholder(stem, m.group(0), "ocids")

    def _ip(self, m: re.Match[str]) -> str:
        text = m.group(0)
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return text
        return self._placeholder("ip", text, "ip_addresses")

    def _literal(self, m: re.Match[str]) -> str:
        value = m.group(0)
        kind = self._literals[value]
        return self._placeholder(LITERAL_KINDS[kind], value, _LITERAL_COUNT[kind])

    def _literal_pattern(self) -> re.Pattern[str] | None:
        if self._literal_re is None and self._literals:
            ordered = sorted(self._literals, key=lambda v: (-len(v), v))
            alternation = "|".join(re.escape(v) for v in ordered)
            self._literal_re = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
        return self._literal_re

    def redact(self, text: str) -> str:
        """``text`` with every OCID, address, e-mail and registered sensitive value replaced by its placeholder."""
        text = OCID.sub(self._ocid, text)
        text = EMAIL.sub(lambda m: self._placeholder("email", m.group(0), "emails"), text)
        text = IPV4.sub(self._ip, text)
        text = IPV6.sub(self._ip, text)
        pattern = self._literal_pattern()
        if pattern is not None:
            text = pattern.sub(self._literal, text)
        return text

    # ------------------------------------------------------------------ restoring
    def restore(self, text: str) -> str:
        """The model's answer with every placeholder this redactor made replaced by the original value."""
        return PLACEHOLDER.sub(lambda m: self.mapping.get(m.group(0), m.group(0)), text)

    def counts(self) -> dict[str, int]:
        """Distinct values masked, by kind."""
        return dict(self._counts)
