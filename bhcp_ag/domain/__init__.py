"""The A&G domain: rules, clocks and codes in plain Python (no Qt, no database)."""
