"""One module per route, by dialect. Importing this package in a Lambda pauses the cyclic garbage collector until
the route is registered (functions/platform/coldstart.py)."""

from functions.platform.coldstart import pause_gc

pause_gc()
