"""The pieces of `//:compile`: model loading, the job, analyses, report and output directory."""
