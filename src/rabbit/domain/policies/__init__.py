"""Pure policies of behaviour.md: functions of their inputs, no I/O, no clock, no globals."""
