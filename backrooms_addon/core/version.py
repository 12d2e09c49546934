"""Version numbers: the add-on release and the generator (layout and geometry) version."""

# The release of the extension; it must match `version` in blender_manifest.toml.
ADDON_VERSION = "0.1.0"

# Bumped on every deliberate change to the levels a seed produces. Recorded on every
# generated level so that a file made by an older generator can say so.
GENERATOR_VERSION = 6  # 6: lightmaps packed fuller, and a piece of very many faces inside the square
# The layout document's own version (docs/layout-format.md): 2 renamed the spec's `level` to
# `style` and added `features`, 3 added each floor's `joins`, 4 each floor's `style`, `cell_size`,
# `width`, `depth`, `origin`, `wall_height` and `marks`, 5 `placed` (the furniture); it changes when
# keys do, not when levels do.
LAYOUT_FORMAT_VERSION = 5
