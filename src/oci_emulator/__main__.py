"""``python -m oci_emulator serve ...``."""

from oci_emulator.cli import main

if __name__ == "__main__":
    main()
