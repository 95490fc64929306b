"""Visit schedule, visits, eCRFs, edit checks, queries, SDV, signatures, locks (issues 4, 6)."""
