import MNISTData
import Engine
// Dashboard: pure rendering of AppState into a CellGrid (no terminal access).
