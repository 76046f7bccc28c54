"""Outbound messages (e-mail, SMS) through one pluggable sender.

Everything that leaves the clinic for a patient goes through ``send_message`` in
``sending.py``; tests install a ``MemorySender`` there instead of patching internals.
"""
