"""The thin Blender layer: writes a LevelPlan into Blender data; no UI and no generation logic."""
