"""Calendar files, her agenda feed, reading her own calendars and writing intakes into one.
Below the services: nothing here calls a service (docs/architecture.md)."""
