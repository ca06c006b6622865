"""The course's experiments: presets, repeats over seeds, whole tables."""
