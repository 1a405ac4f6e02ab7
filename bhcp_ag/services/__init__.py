"""Use-cases the UI calls: plain Python over the store (and, later, sync); no Qt."""
