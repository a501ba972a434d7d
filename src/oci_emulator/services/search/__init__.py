"""Resource Search (``query.{region}``, base path /20180409): structured queries and resource types."""
