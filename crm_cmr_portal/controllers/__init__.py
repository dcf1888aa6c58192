from . import complaints, helpers, loyalty, main, nps, privacy, profile, suggestions
