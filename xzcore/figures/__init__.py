"""The figures: every SQL that computes what a page, slide or report shows (the per-project
frame, summaries and lights, red-flag and warning lists, history). Reads only."""
