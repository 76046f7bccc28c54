"""Treatment: screening, courses (treatment plans) and their sessions."""
