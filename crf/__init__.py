"""Visit schedule, visits, eCRFs, edit checks, queries, SDV, signatures, locks."""
