from . import helpers, loyalty, main, privacy, profile, suggestions
