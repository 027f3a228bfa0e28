import Cells

// The keys and the mouse of the inspection views (`f`, `/`, `d`, `u`): the Keymap's rows for
// them land here from `AppState.perform`.

extension AppState {
    /// The inspection mode keys are read in first, if a view is open.
    var inspectionContext: KeyContext? {
        if inspection.jumpText != nil { return .jumpEditor }
        switch inspection.view {
        case .forwardPass: return .forwardPass
        case .draw: return .drawing
        case .weights: return .weights
        case nil: return nil
        }
    }

    /// Hidden units on one page of the `u` view (the panel shows as many as fit, up to this).
    public static let unitsPerPage = 8

    /// Carries out an inspection view's key.
    mutating func performInspection(_ action: KeyAction, now: Double) {
        switch action {
        case .openForwardPass:
            if browser != nil, browsedDigit != nil {
                open(.forwardPass(.browsed))
            } else {
                open(.forwardPass(.test(inspection.testIndex ?? 0)))
                if testPixels(0) == nil { note("no test images loaded yet", now: now) }
            }
        case .jumpToTestDigit:
            inspection.jumpText = ""
        case .openDraw: open(.draw)
        case .openWeights: open(.weights)
        case .closeInspection:
            inspection.view = nil
            inspection.canvas.endStroke()
        case .previousInspected: stepTarget(-1, now: now)
        case .nextInspected: stepTarget(1, now: now)
        // Drawing
        case .cursorUp: inspection.canvas.moveCursor(columns: 0, rows: -1)
        case .cursorDown: inspection.canvas.moveCursor(columns: 0, rows: 1)
        case .cursorLeft: inspection.canvas.moveCursor(columns: -1, rows: 0)
        case .cursorRight: inspection.canvas.moveCursor(columns: 1, rows: 0)
        case .togglePaint: inspection.canvas.togglePaint()
        case .toggleErase: inspection.canvas.toggleErase()
        case .clearCanvas: inspection.canvas.clear()
        // Weights
        case .previousUnits: pageUnits(-1)
        case .nextUnits: pageUnits(1)
        // Typing a test index
        case .confirmJump:
            let text = inspection.jumpText ?? ""
            inspection.jumpText = nil
            guard let index = Int(text), index >= 0, index < testImages.count else {
                note(text.isEmpty ? "no test index typed"
                     : "no test image #\(text): the test set has \(testImages.count) (0 to \(max(0, testImages.count - 1)))",
                     now: now, isError: true)
                return
            }
            open(.forwardPass(.test(index)))
        case .cancelJump: inspection.jumpText = nil
        case .deleteJumpCharacter:
            if inspection.jumpText?.isEmpty == false { inspection.jumpText?.removeLast() }
        default:
            return
        }
        refreshPass()
    }

    /// A key with no binding while a test index is typed: digits are text, the rest ignored.
    mutating func typeJump(_ key: Key) {
        guard case .character(let c) = key, c.isASCII, c.isNumber,
              let text = inspection.jumpText, text.count < Inspection.jumpLength else { return }
        inspection.jumpText = text + String(c)
    }

    /// The forward pass follows the browser's digit whatever moved it (Home, End, PgUp, PgDn fall
    /// through to the browser).
    mutating func followBrowser() {
        guard inspection.view == .forwardPass(.browsed), inspection.testIndex != browsedDigit?.testIndex else { return }
        refreshPass()
    }

    private mutating func open(_ view: InspectionView) {
        inspection.view = view
        inspection.canvas.endStroke()
    }

    /// ← →: the next or previous test digit, or the browser's when the view follows it.
    private mutating func stepTarget(_ by: Int, now: Double) {
        guard case .forwardPass(let target) = inspection.view else { return }
        switch target {
        case .browsed:
            _ = perform(by < 0 ? .previousDigit : .nextDigit, now: now)
        case .test(let index):
            let count = max(1, testImages.count)
            inspection.view = .forwardPass(.test(((index + by) % count + count) % count))
        }
    }

    private mutating func pageUnits(_ by: Int) {
        let sizes = inspection.weights?.layout.layerSizes ?? info.layerSizes
        let units = sizes.count > 1 ? sizes[1] : 0
        guard units > 0 else { return }
        let pages = (units + Self.unitsPerPage - 1) / Self.unitsPerPage
        let page = (inspection.firstUnit / Self.unitsPerPage + by + pages) % pages
        inspection.firstUnit = page * Self.unitsPerPage
    }

    // MARK: Mouse

    /// Draws on the canvas with the mouse when the drawing view is open: the left button paints,
    /// the right one erases, a drag draws a line. Returns true if the canvas took the event (a
    /// press on it, or any drag or release of a stroke that began on it).
    public mutating func handleCanvasMouse(_ event: MouseEvent, width: Int, height: Int) -> Bool {
        guard inspection.view == .draw, width >= DashboardView.minimumWidth, height >= DashboardView.minimumHeight
        else { return false }
        let layout = Layout(width: width, height: height, classes: classCount)
        let canvas = DrawPanel.canvasRect(inPanel: layout.browser)
        let (column, row) = (event.x - canvas.x, event.y - canvas.y)
        let inside = (0..<canvas.width).contains(column) && (0..<canvas.height).contains(row)
        switch event.action {
        case .press:
            guard inside, event.button == .left || event.button == .right else { return false }
            inspection.canvas.drag(toColumn: column, row: row, erase: event.button == .right, newStroke: true)
            drawingButton = event.button
        case .drag:
            guard let button = drawingButton else { return false }
            inspection.canvas.drag(toColumn: column, row: row, erase: button == .right, newStroke: false)
        case .release:
            guard drawingButton != nil else { return false }
            drawingButton = nil
            inspection.canvas.endStroke()
        case .scrollUp, .scrollDown:
            return inside
        }
        refreshPass()
        return true
    }

    /// The button of the stroke being drawn (nil: none).
    private var drawingButton: MouseEvent.Button? {
        get { inspection.strokeButton }
        set { inspection.strokeButton = newValue }
    }
}
