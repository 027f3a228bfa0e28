// The executable: parses the command line and runs it (all logic lives in the App module).
import App

// First, before anything opens a descriptor or changes a signal (see `ProcessStart`).
MNISTTUICommand.prepareProcess()
await MNISTTUICommand.launch()
