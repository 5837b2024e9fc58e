"""Custom actions for the Safe Harbor assistant, served by `rasa run actions`.

`rasa run actions --actions actions` imports this package first: a bad
resource file stops the action server here, at start-up, in one clear line.
"""

from knowledge.resources import check_all_region_files

check_all_region_files()
