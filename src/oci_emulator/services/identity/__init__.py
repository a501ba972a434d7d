"""Identity (``identity.{region}``, base path /20160918): tenancy, regions, ADs, compartments, IAM gets/lists."""
