"""The Blender front end: scene settings, operators, the sidebar panels and user presets."""
