"""Pure clinical calculators for the LN trial EDC (no Django; standard library only).

Each module implements one rule set and cites its source: docs/DOMAIN.md
(section numbers as "§") or the trial protocol / docs/DECISIONS.md. Forms, services and exports
call these; they never import Django.
"""
