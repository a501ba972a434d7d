"""`oci-inv wizard`: guided runs, saved plans (see docs/wizard.md)."""
