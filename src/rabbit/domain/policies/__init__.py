"""Pure policies (docs/behaviour.md#rules): functions of their inputs, no I/O, no clock, no
globals."""
