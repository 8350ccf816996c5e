"""Data definitions shared by datasets, models, tools and configs (:mod:`.skeletons`)."""
