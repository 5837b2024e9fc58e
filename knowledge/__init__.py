"""What the action server and the bot both read: helplines and services by region, needs.

Content lives in data/resources/ so organisations change numbers without
touching code. This package imports neither `actions` nor `bot`; both import
it. Nothing here reads the environment or checks files on import: callers run
`resources.check_all_region_files(default_region)` once at start-up.
"""
