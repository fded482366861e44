"""What the window shows and asks for, as plain Python: no Qt, no torch, tested headless.

The Qt views in app/ observe these objects through their events and draw them.
"""
