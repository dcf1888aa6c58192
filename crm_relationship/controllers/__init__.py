from . import complaints, helpers, nps
