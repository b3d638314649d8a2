"""Pure rules, without the database: slots, the waiting list's matching, busy time, signed links,
video tokens, the site's words and codes. The bottom layer (docs/architecture.md)."""
