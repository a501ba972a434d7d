"""Service-independent machinery: request/response, errors, routing, paging, journal, faults."""
