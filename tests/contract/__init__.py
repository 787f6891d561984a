"""One contract suite for the repository and unit-of-work ports, run against every adapter."""
