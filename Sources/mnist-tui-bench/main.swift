import Engine
import CBLAS
