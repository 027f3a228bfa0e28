import Engine
import Dashboard
import Terminal
import ArgumentParser
import AsyncAlgorithms
// App: the command line, headless printer, metrics writer and dashboard loop.
