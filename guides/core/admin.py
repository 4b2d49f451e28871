# The site version is one row the page cache reads; it is never edited by hand.
