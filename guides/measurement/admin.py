# The chart maker stores nothing (its data travels in the address or the form), so it
# has nothing to administer.
