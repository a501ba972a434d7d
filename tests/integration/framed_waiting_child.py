"""A framed child (``util/framed.py``) for the tests: it reads its first frame only once it has read a byte from
the FIFO named by ``OCI_INV_TEST_FIFO``, says it is ready, and ends when its stdin does."""

from __future__ import annotations

import os
import sys

import orjson

from oci_inventory.util.framed import open_child, read_frame


def main(argv: list[str]) -> int:
    fd = os.open(os.environ["OCI_INV_TEST_FIFO"], os.O_RDONLY)  # blocks until the test opens it for writing
    try:
        os.read(fd, 1)  # ... and until the test writes this child's byte
    finally:
        os.close(fd)
    opened = open_child(argv, 3)
    if isinstance(opened, int):
        return opened
    inp, _start, writer = opened
    writer.send(orjson.dumps({"ready": os.getpid()}))
    while read_frame(inp) is not None:
        pass
    writer.send(orjson.dumps({"stats": {"records": 0}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
