from . import complaints, helpers, nps, privacy
