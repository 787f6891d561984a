"""The domain: plain Python entities, validated value objects and pure policies (no I/O)."""
