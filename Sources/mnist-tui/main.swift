// The executable: parses the command line and runs it (all logic lives in the App module).
import App

await MNISTTUICommand.launch()
