"""Report versions and the actions agreed at PVP meetings."""
