"""Applications built on rabbit, kept in the repository and tested with it (issue 14)."""
