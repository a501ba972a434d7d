"""Run reports people read: ``report.md`` and ``report.html`` (inline SVG charts), from a run's digest."""
