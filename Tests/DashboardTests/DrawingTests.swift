import Cells
import Foundation
import Testing
import Engine
import MNISTData
@testable import Dashboard

// Drawing your own digit (issue 10, acceptance 2): synthetic strokes through the canvas and the
// MNIST preprocessing, and the predictions of a model trained on MNIST.

/// A model trained on MNIST, kept in Fixtures/ (207 KB) so tests can ask it about drawn digits.
/// Made with: `mnist-tui --headless --hidden 64 --epochs 3 --seed 1 --save
/// Tests/DashboardTests/Fixtures/mnist-784-64-10.ckpt` (784-64-10, SGD lr 0.2, batch 256;
/// test accuracy 93.16%).
enum TrainedModel {
    static let path = Path.parent(#filePath) + "/Fixtures/mnist-784-64-10.ckpt"

    static func weights() throws -> ModelWeights {
        let snapshot = try Checkpoint.read(from: path).snapshot
        let layout = try #require(ParameterLayout(layerSizes: snapshot.layerSizes))
        return try #require(ModelWeights(layout: layout, parameters: snapshot.parameters, step: snapshot.position.step))
    }
}

/// Strokes drawn the way the keyboard and the mouse draw them.
enum Strokes {
    /// A vertical bar, a "1", from cell row `top` to `bottom` at `column`.
    static func bar(column: Int = 14, top: Int = 1, bottom: Int = 12) -> Canvas {
        var canvas = Canvas()
        canvas.drag(toColumn: column, row: top, erase: false, newStroke: true)
        canvas.drag(toColumn: column, row: bottom, erase: false, newStroke: false)
        canvas.endStroke()
        return canvas
    }

    /// A ring, a "0": an ellipse through cells, drawn as one closed drag.
    static func ring(centreColumn: Int = 14, centreRow: Int = 7, radiusColumns: Double = 7, radiusRows: Double = 5.5) -> Canvas {
        var canvas = Canvas()
        for step in 0...48 {
            let angle = Double(step) / 48 * 2 * Double.pi
            let column = centreColumn + Int((radiusColumns * cos(angle)).rounded())
            let row = centreRow + Int((radiusRows * sin(angle)).rounded())
            canvas.drag(toColumn: column, row: row, erase: false, newStroke: step == 0)
        }
        canvas.endStroke()
        return canvas
    }
}

@Suite struct DrawingTests {
    /// The bounding box and centre of mass of a normalised image.
    static func geometry(_ image: [UInt8]) throws -> (width: Int, height: Int, mass: (x: Double, y: Double)) {
        let box = try #require(MNISTForm.inkBounds(image))
        let mass = try #require(MNISTForm.centerOfMass(image))
        return (box.maxX - box.minX + 1, box.maxY - box.minY + 1, mass)
    }

    @Test func aBarFillsTheBoxHeightAndIsCentredOnItsMass() throws {
        let canvas = Strokes.bar()
        // The soft brush: full ink in the middle of the stroke, fading at its edges.
        let row = Array(canvas.pixels[(10 * 28)..<(11 * 28)])
        #expect(row[14] == 255)
        #expect(row.contains { $0 > 0 && $0 < 255 })
        let image = MNISTForm.normalize(canvas.pixels)
        let g = try Self.geometry(image)
        #expect(g.height == 20)
        #expect(g.width <= 6, "a thin bar stays thin: \(g.width)")
        #expect(abs(g.mass.x - 13.5) <= 0.5 && abs(g.mass.y - 13.5) <= 0.5, "\(g.mass)")
    }

    @Test func aSmallBarInACornerComesOutTheSameSize() throws {
        let image = MNISTForm.normalize(Strokes.bar(column: 3, top: 1, bottom: 4).pixels)
        let g = try Self.geometry(image)
        #expect(g.height == 20)
        #expect(abs(g.mass.x - 13.5) <= 0.5 && abs(g.mass.y - 13.5) <= 0.5, "\(g.mass)")
    }

    @Test func aRingFillsTheBoxAndIsCentred() throws {
        let image = MNISTForm.normalize(Strokes.ring(centreColumn: 10, centreRow: 6).pixels)
        let g = try Self.geometry(image)
        // Its longer side (the ring is a little taller than wide) is scaled to 20, the other kept in proportion.
        #expect(g.height == 20)
        #expect((12...18).contains(g.width), "\(g.width)")
        #expect(abs(g.mass.x - 13.5) <= 0.5 && abs(g.mass.y - 13.5) <= 0.5, "\(g.mass)")
        // A ring: its middle is empty.
        #expect(image[14 * 28 + 14] == 0)
    }

    @Test func aBlankCanvasStaysBlank() {
        #expect(MNISTForm.normalize([UInt8](repeating: 0, count: 784)).allSatisfy { $0 == 0 })
        #expect(MNISTForm.normalize([1, 2, 3]).count == 784)
    }

    /// Acceptance 2: a "1"-like bar is predicted 1, a ring 0, by a model trained on MNIST.
    @Test func aTrainedModelReadsABarAsOneAndARingAsZero() throws {
        let weights = try TrainedModel.weights()
        for (canvas, digit) in [(Strokes.bar(), 1), (Strokes.bar(column: 5, top: 2, bottom: 6), 1),
                                (Strokes.ring(), 0), (Strokes.ring(centreColumn: 20, centreRow: 6, radiusColumns: 5, radiusRows: 4), 0)] {
            let pass = try #require(Inference.forward(MNISTForm.normalize(canvas.pixels), weights: weights))
            #expect(pass.predicted == digit, "\(pass.probabilities)")
        }
    }

    // MARK: The canvas, through the state's keys and mouse

    static func drawing() throws -> AppState {
        var state = AppStateTests.fresh()
        _ = state.handle(.character("d"), now: 1)
        state.updateWeights(try TrainedModel.weights(), now: 1)
        return state
    }

    @Test func keysDrawWithAPen() throws {
        var state = try Self.drawing()
        #expect(state.inspection.view == .draw)
        #expect(state.inspection.canvas.isBlank && state.inspection.pass == nil)
        _ = state.handle(.character(" "), now: 2)   // pen down: paints at the cursor
        #expect(!state.inspection.canvas.isBlank)
        #expect(state.inspection.canvas.pen == .paint)
        for _ in 0..<5 { _ = state.handle(.down, now: 2) }
        _ = state.handle(.character(" "), now: 2)   // pen up
        _ = state.handle(.right, now: 2)
        let painted = state.inspection.canvas.pixels
        #expect(state.inspection.canvas.pen == .up)
        #expect(try Self.geometry(painted).height >= 10, "a stroke down five cells")
        // The prediction follows the drawing.
        #expect(state.inspection.pass != nil && state.inspection.image != nil)
        _ = state.handle(.character("x"), now: 2)   // eraser down at the cursor, one cell right of the stroke
        #expect(state.inspection.canvas.pixels.reduce(0) { $0 + Int($1) } < painted.reduce(0) { $0 + Int($1) })
        _ = state.handle(.character("c"), now: 2)
        #expect(state.inspection.canvas.isBlank && state.inspection.pass == nil)
        _ = state.handle(.escape, now: 2)
        #expect(state.inspection.view == nil)
    }

    @Test func mouseDragsPaintAndTheRightButtonErases() throws {
        var state = try Self.drawing()
        let canvas = DrawPanel.canvasRect(inPanel: Layout(width: 120, height: 40, classes: 10).browser)
        func mouse(_ action: MouseEvent.Action, _ button: MouseEvent.Button, _ column: Int, _ row: Int) -> Bool {
            state.handleCanvasMouse(MouseEvent(action: action, button: button, x: canvas.x + column, y: canvas.y + row),
                                    width: 120, height: 40)
        }
        #expect(mouse(.press, .left, 14, 1))
        for row in 2...12 { #expect(mouse(.drag, .left, 14, row)) }
        #expect(mouse(.release, .left, 14, 12))
        let g = try Self.geometry(state.inspection.canvas.pixels)
        #expect(g.height >= 22 && g.width <= 5, "\(g)")
        #expect(state.inspection.pass?.predicted == 1)
        // A press outside the canvas is not the canvas's; nor is a drag with no stroke begun.
        #expect(!mouse(.press, .left, 40, 5))
        #expect(!mouse(.drag, .left, 3, 3))
        // The right button erases what it drags over.
        #expect(mouse(.press, .right, 14, 1))
        for row in 2...12 { #expect(mouse(.drag, .right, 14, row)) }
        #expect(mouse(.release, .right, 14, 12))
        #expect(state.inspection.canvas.isBlank)
        // Through the app's mouse entry point too.
        _ = state.handle(mouse: MouseEvent(action: .press, button: .left, x: canvas.x + 3, y: canvas.y + 3),
                         width: 120, height: 40, now: 3)
        #expect(!state.inspection.canvas.isBlank)
        // Closed, the canvas takes nothing.
        _ = state.handle(.escape, now: 3)
        #expect(!mouse(.press, .left, 14, 1))
    }
}
