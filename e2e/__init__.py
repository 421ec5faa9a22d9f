"""The end-to-end model suite: model declarations, shared checks and per-backend test mains."""
