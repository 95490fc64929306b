"""Pure clinical calculators for the LN trial EDC (no Django; standard library only).

Each module implements one rule set and cites its source: shared/domain/DOMAIN_REFERENCE.md
(section numbers as "§") or the trial protocol / PROTOCOL.md "Decisions where the protocol is
silent". Forms, services and exports call these; they never import Django.
"""
