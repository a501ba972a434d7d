"""Runs as a history: listing and pruning run directories, SQL over every run (DuckDB), the Parquet dataset.

Kept light: the CLI imports :mod:`oci_inventory.history.cli` at start-up, and nothing here imports the OCI SDK,
Rich or DuckDB at module level.
"""
