import CNcurses
import Dashboard
// Terminal: the thin ncurses backend.
