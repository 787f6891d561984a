"""The dashboard's routes, one module per area; each route calls one use case."""
