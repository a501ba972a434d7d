"""The compartment tree (paths) and --compartment resolution (OCID, path, name), as pure functions."""

from __future__ import annotations

import pytest

from oci_inventory.oci.compartments import build_tree, resolve_compartments, subtree_ids
from oci_inventory.util.errors import ConfigError, ExitCode

T = "ocid1.tenancy.oc1..root"
ITEMS = [
    ("ocid1.compartment.oc1..prod", "prod", T, "ACTIVE"),
    ("ocid1.compartment.oc1..net", "network", "ocid1.compartment.oc1..prod", "ACTIVE"),
    ("ocid1.compartment.oc1..old", "old", T, "DELETED"),
    ("ocid1.compartment.oc1..keep", "keep", "ocid1.compartment.oc1..old", "ACTIVE"),
    ("ocid1.compartment.oc1..dev", "dev", T, "ACTIVE"),
    ("ocid1.compartment.oc1..devnet", "network", "ocid1.compartment.oc1..dev", "ACTIVE"),
    ("ocid1.compartment.oc1..gone", "gone", T, "DELETED"),
    ("ocid1.compartment.oc1..app1", "app", "ocid1.compartment.oc1..prod", "DELETED"),
    ("ocid1.compartment.oc1..app2", "app", "ocid1.compartment.oc1..prod", "ACTIVE"),
    ("ocid1.compartment.oc1..orphan", "orphan", "ocid1.compartment.oc1..invisible", "ACTIVE"),
    ("ocid1.compartment.oc1..cy1", "cy1", "ocid1.compartment.oc1..cy2", "ACTIVE"),
    ("ocid1.compartment.oc1..cy2", "cy2", "ocid1.compartment.oc1..cy1", "ACTIVE"),
]


@pytest.fixture
def tree():  # type: ignore[no-untyped-def]
    return build_tree(T, ITEMS)


def test_paths_from_the_root_with_deleted_ancestors(tree) -> None:  # type: ignore[no-untyped-def]
    paths = {c.id.rsplit(".", 1)[1]: c.path for c in tree.compartments}
    assert paths["prod"] == "/prod"
    assert paths["net"] == "/prod/network"
    assert paths["keep"] == "/old/keep", "a DELETED ancestor is part of the path"
    assert paths["orphan"] is None, "parent not visible"
    assert paths["cy1"] is None and paths["cy2"] is None, "a cycle in bad data has no path"
    assert tree.path_of(T) == "/"
    assert tree.path_of("ocid1.compartment.oc1..net") == "/prod/network"
    assert tree.path_of("ocid1.compartment.oc1..unknown") is None
    assert tree.path_of(None) is None and tree.path_of("") is None


def test_sorted_by_path_then_id_unknown_paths_last(tree) -> None:  # type: ignore[no-untyped-def]
    keys = [(c.path, c.id) for c in tree.compartments]
    known = [k for k in keys if k[0] is not None]
    assert known == sorted(known)
    assert [k[0] for k in keys[len(known) :]] == [None, None, None]
    assert tree.compartments[0].as_json() == {
        "id": "ocid1.compartment.oc1..dev",
        "name": "dev",
        "parentId": T,
        "path": "/dev",
        "lifecycleState": "ACTIVE",
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ocid1.compartment.oc1..net", "ocid1.compartment.oc1..net"),
        ("/prod/network", "ocid1.compartment.oc1..net"),
        ("/prod/network/", "ocid1.compartment.oc1..net"),
        ("/", T),
        (T, T),
        ("prod", "ocid1.compartment.oc1..prod"),
        ("keep", "ocid1.compartment.oc1..keep"),
        ("/old/keep", "ocid1.compartment.oc1..keep"),
        ("app", "ocid1.compartment.oc1..app2"),
        ("/prod/app", "ocid1.compartment.oc1..app2"),
    ],
)
def test_resolve_ocid_path_or_name(tree, spec: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert resolve_compartments(tree, [spec]) == [expected]


def test_resolve_keeps_order_and_drops_repeats(tree) -> None:  # type: ignore[no-untyped-def]
    specs = ["dev", "/prod/network", "ocid1.compartment.oc1..dev"]
    assert resolve_compartments(tree, specs) == ["ocid1.compartment.oc1..dev", "ocid1.compartment.oc1..net"]


@pytest.mark.parametrize(
    ("spec", "needles"),
    [
        ("network", ["ambiguous", "/dev/network", "/prod/network", "ocid1.compartment.oc1..devnet"]),
        ("Prod", ["'Prod'", "not found", "list-compartments"]),
        ("/prod/nosuch", ["'/prod/nosuch'", "not found", "list-compartments"]),
        ("ocid1.compartment.oc1..nosuch", ["ocid1.compartment.oc1..nosuch", "not found"]),
        ("gone", ["/gone", "ocid1.compartment.oc1..gone", "DELETED"]),
        ("/old", ["/old", "DELETED"]),
        ("ocid1.compartment.oc1..old", ["/old", "DELETED"]),
        ("bad\x1b[2Jname", ["bad\\x1b[2Jname", "not found"]),
    ],
)
def test_resolve_errors_are_exit_2_naming_the_problem(tree, spec: str, needles: list[str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        resolve_compartments(tree, [spec])
    line = err.value.user_line()
    assert err.value.exit_code == ExitCode.USAGE
    assert "\n" not in line and "\x1b" not in line
    for needle in needles:
        assert needle in line


def test_subtree_scope(tree) -> None:  # type: ignore[no-untyped-def]
    prod = "ocid1.compartment.oc1..prod"
    assert subtree_ids(tree, [prod]) == {prod, "ocid1.compartment.oc1..net"} | {
        "ocid1.compartment.oc1..app1",
        "ocid1.compartment.oc1..app2",
    }
    assert subtree_ids(tree, [prod], include_subtree=False) == {prod}
    with pytest.raises(ConfigError):
        subtree_ids(tree, ["ocid1.compartment.oc1..nosuch"])


def test_a_tree_sent_to_another_process_is_the_same_tree(tree) -> None:  # type: ignore[no-untyped-def]
    import orjson

    from oci_inventory.oci.compartments import tree_as_json, tree_from_json

    again = tree_from_json(orjson.loads(orjson.dumps(tree_as_json(tree))))
    assert again == tree  # tenancy and compartments, paths included
    assert again.wire == tree.wire
    assert [again.path_of(c.id) for c in tree.compartments] == [tree.path_of(c.id) for c in tree.compartments]


def test_wire_objects_are_kept_as_listed_and_sent_only_when_asked(tree) -> None:  # type: ignore[no-untyped-def]
    import orjson

    from oci_inventory.oci.compartments import tree_as_json, tree_from_json

    listed = {
        c.id: {"id": c.id, "name": c.name, "compartmentId": c.parent_id, "lifecycleState": c.lifecycle_state,
               "freeformTags": {"k": "v\u2028\x00 ü"}, "definedTags": {}, "isAccessible": None, "n": 1.5}
        for c in tree.compartments
    }  # fmt: skip
    wired = build_tree(T, ITEMS, {cid: orjson.dumps(c) for cid, c in listed.items()})
    some = tree.compartments[0].id
    first = wired.wire_of(some)
    assert first == listed[some] and isinstance(wired.wire[some], bytes)
    assert first is not None
    first["name"] = "changed"  # a copy each time: the tree keeps what was listed
    assert wired.wire_of(some) == listed[some] and wired.wire_of(T) is None
    sent = tree_from_json(orjson.loads(orjson.dumps(tree_as_json(wired))))
    assert {cid: sent.wire_of(cid) for cid in listed} == listed
    bare = tree_from_json(orjson.loads(orjson.dumps(tree_as_json(wired, wire=False))))
    assert bare == wired and not bare.wire and bare.wire_of(some) is None  # paths only (an intake process)
