import Cells

// Keys: looked up in the `Keymap` for the current modes, then carried out here. Returns what the
// app should ask of the trainer or the program; the app reports a save's outcome back
// (`finishSave`), so a failed save keeps the dashboard open with the error shown.

/// How a save the dashboard asked for went (the app reports it back).
public enum SaveOutcome: Sendable, Equatable {
    /// Saved; `report` says where and what ("checkpoint saved to run.ckpt (2 epochs done)").
    case saved(report: String)
    /// Not saved; `reason` is one line naming the file.
    case failed(reason: String)
}

extension AppState {
    /// The modes keys are read in now, top first.
    public var keyContexts: [KeyContext] {
        if pathEditor != nil { return [.pathEditor] }
        if inspection.jumpText != nil { return [.jumpEditor] }
        if confirmingQuit { return [.quitQuestion] }
        if showHelp { return [.help] }
        var contexts: [KeyContext] = inspectionContext.map { [$0] } ?? []
        if browser != nil { contexts.append(.browser) }
        if focus == .confusion { contexts.append(.confusion) }
        return contexts + [.main]
    }

    /// Reacts to a key; returns what the app should ask of the trainer or the program.
    public mutating func handle(_ key: Key, now: Double) -> [Command] {
        let contexts = keyContexts
        guard let binding = Keymap.binding(for: key, in: contexts) else {
            switch contexts.first {
            case .quitQuestion:
                // A stray key must neither quit nor lose the run: ask again.
                note(Self.saveBeforeQuitPrompt, now: now)
            case .jumpEditor:
                typeJump(key)
            case .pathEditor:
                if case .character(let c) = key, var editor = pathEditor, editor.text.count < PathEditor.maxLength {
                    editor.text.append(c)
                    pathEditor = editor
                }
            default:
                break
            }
            return []
        }
        defer { followBrowser() }
        return perform(binding.action, now: now)
    }

    /// Carries out one keymap action.
    mutating func perform(_ action: KeyAction, now: Double) -> [Command] {
        if let readOnly, [.togglePause, .raiseLearningRate, .lowerLearningRate, .save].contains(action) {
            note(readOnly, now: now)
            return []
        }
        switch action {
        // Main screen
        case .togglePause: return togglePause(now: now)
        case .raiseLearningRate: return changeLearningRate(by: Self.learningRateFactor, now: now)
        case .lowerLearningRate: return changeLearningRate(by: 1 / Self.learningRateFactor, now: now)
        case .browseMisclassified:
            guard latest != nil else {
                note("no evaluation yet: misclassified digits appear after the first epoch", now: now)
                return []
            }
            browser = makeBrowser(filter: nil)
        case .focusConfusion: focus = .confusion
        case .toggleLossScale: lossScale = lossScale == .linear ? .log : .linear
        case .save:
            if saveFailure != nil {
                pathEditor = PathEditor(text: checkpointPath ?? "", thenQuit: false)
                return []
            }
            return [save(to: checkpointPath, thenQuit: false, now: now)]
        case .showHelp: showHelp = true
        case .clearFocus: focus = .none
        case .focusRun1: return focusRun(0, now: now)
        case .focusRun2: return focusRun(1, now: now)
        case .focusRun3: return focusRun(2, now: now)
        case .focusRun4: return focusRun(3, now: now)
        case .toggleLayers:
            showLayers.toggle()
            return [.setLayerHealth(every: showLayers ? Self.layerHealthEvery : nil, run: focusedRun)]
        case .quit:
            showHelp = false
            if confirmSaveOnQuit {
                confirmingQuit = true
                note(Self.saveBeforeQuitPrompt, now: now)
                return []
            }
            wantsQuit = true
            return [.quit]
        // Browser
        case .previousDigit: moveBrowser { n, p in (p - 1 + n) % n }
        case .nextDigit: moveBrowser { n, p in (p + 1) % n }
        case .firstDigit: moveBrowser { _, _ in 0 }
        case .lastDigit: moveBrowser { n, _ in n - 1 }
        case .pageBack: moveBrowser { _, p in max(0, p - 10) }
        case .pageForward: moveBrowser { n, p in min(n - 1, p + 10) }
        case .closeBrowser: browser = nil
        // Confusion matrix
        case .selectUp: selection.truth = max(0, selection.truth - 1)
        case .selectDown: selection.truth = min(classCount - 1, selection.truth + 1)
        case .selectLeft: selection.predicted = max(0, selection.predicted - 1)
        case .selectRight: selection.predicted = min(classCount - 1, selection.predicted + 1)
        case .browseCell: browser = makeBrowser(filter: selection)
        case .leaveConfusion: focus = .none
        // Help
        case .closeHelp: showHelp = false
        // Quit question
        case .saveAndQuit:
            confirmingQuit = false
            return [save(to: checkpointPath, thenQuit: true, now: now)]
        case .quitWithoutSaving:
            confirmingQuit = false
            wantsQuit = true
            return [.quit]
        case .cancelQuit:
            confirmingQuit = false
            note("quit cancelled", now: now)
        // Path editor
        case .confirmPath:
            guard let editor = pathEditor, !editor.text.isEmpty else { return [] }
            pathEditor = nil
            return [save(to: editor.text, thenQuit: editor.thenQuit, now: now)]
        case .cancelPath:
            pathEditor = nil
            note("save cancelled", now: now)
        case .deleteCharacter:
            if pathEditor?.text.isEmpty == false { pathEditor?.text.removeLast() }
        case .openForwardPass, .jumpToTestDigit, .openDraw, .openWeights, .closeInspection, .previousInspected,
             .nextInspected, .cursorUp, .cursorDown, .cursorLeft, .cursorRight, .togglePaint, .toggleErase,
             .clearCanvas, .previousUnits, .nextUnits, .confirmJump, .cancelJump, .deleteJumpCharacter:
            performInspection(action, now: now)
        }
        return []
    }

    /// The app's report on a `.saveCheckpoint` it carried out. Returns `[.quit]` when the save was
    /// the quit question's and worked; a failure keeps the dashboard open with the error shown
    /// until a save works (`s` then asks for another path; `q`, `n` quits without saving).
    public mutating func finishSave(_ outcome: SaveOutcome, path: String?, thenQuit: Bool, now: Double) -> [Command] {
        switch outcome {
        case .saved(let report):
            saveFailure = nil
            if let path { checkpointPath = path }
            note(report, now: now)
            guard thenQuit else { return [] }
            wantsQuit = true
            return [.quit]
        case .failed(let reason):
            saveFailure = reason
            note(reason + " · s: save to another path" + (thenQuit ? ", q then n: quit without saving" : ""),
                 now: now, isError: true, sticky: true)
            return []
        }
    }

    private mutating func save(to path: String?, thenQuit: Bool, now: Double) -> Command {
        note(path.map { "saving checkpoint to \($0)" } ?? "saving checkpoint", now: now)
        return .saveCheckpoint(path: path, thenQuit: thenQuit)
    }

    private mutating func moveBrowser(_ move: (_ count: Int, _ position: Int) -> Int) {
        guard var open = browser, !open.items.isEmpty else { return }
        open.position = max(0, min(open.items.count - 1, move(open.items.count, open.position)))
        browser = open
    }

    /// `p` acts on every run that has not ended: if any of them runs, all pause; else all resume.
    /// With one run, that is pause/resume as it always was.
    private mutating func togglePause(now: Double) -> [Command] {
        let live = runs.indices.filter { !runs[$0].hasEnded }
        guard !live.isEmpty else {
            note(runs.count == 1 ? "the run has ended; q quits" : "the runs have ended; q quits", now: now)
            return []
        }
        let anyRunning = live.contains { index in
            let run = runs[index]
            if case .running = run.runState { return !(run.requestedPause ?? false) }
            return !(run.requestedPause ?? true)
        }
        for index in live { runs[index].requestedPause = anyRunning }
        return anyRunning ? [.pause] : [.resume]
    }

    /// Keys `1`-`4`: the status line, digits, matrix, browser, `+`/`-` and the Layers panel follow
    /// run `index`. The Layers panel moves its request for figures from the old run to the new.
    private mutating func focusRun(_ index: Int, now: Double) -> [Command] {
        guard runs.indices.contains(index) else {
            note(runs.count == 1 ? "one run only (--vs adds runs to compare)" : "no run \(index + 1): runs are 1-\(runs.count)",
                 now: now)
            return []
        }
        guard index != focusedRun else { return [] }
        var commands: [Command] = []
        if showLayers {
            commands = [.setLayerHealth(every: nil, run: focusedRun), .setLayerHealth(every: Self.layerHealthEvery, run: index)]
        }
        focusedRun = index
        // The inside-the-network views read the focused run's weights: fetch them afresh.
        inspection.lastRequest = nil
        inspection.requestedEpoch = nil
        if let open = browser { browser = makeBrowser(filter: open.filter, position: open.position) }
        note("run \(index + 1): \(runs[index].label)", now: now)
        return commands
    }

    private mutating func changeLearningRate(by factor: Float, now: Double) -> [Command] {
        switch runState {
        case .done, .stopped:
            note("the run has ended; the learning rate no longer matters", now: now)
            return []
        default:
            break
        }
        let next = min(max(learningRate * factor, Self.learningRateRange.lowerBound),
                       Self.learningRateRange.upperBound)
        guard next.isFinite, next != learningRate else { return [] }
        rate.request(next)
        return [.setLearningRate(next, run: focusedRun)]
    }
}
