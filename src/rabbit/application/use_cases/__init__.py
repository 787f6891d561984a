"""The use cases: one class per area, each method one request of the driving side.

Every method validates its input (a frozen pydantic command), opens one unit of work,
authorises the actor, loads, applies the domain's rules, stores explicitly and commits at the
end, so bad input or a refused rule leaves nothing half-written.
"""
