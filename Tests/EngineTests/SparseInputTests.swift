// The sparse first-layer kernels against a double-precision reference of the dense math, on real
// MNIST batches and adversarial ones, for every kernel variant this CPU runs and thread counts 1-4.
// Tolerance: float summation order only, relative 1e-5 of the sum of the terms' magnitudes.
import CSparseKernels
import Foundation
import MNISTData
import Testing
@testable import Engine

/// The batch as the dense path sees it: `X[r, k] = Float(byte) / 255`, [batch, inputs].
private func denseBatch(_ images: LabeledImages, _ indices: [Int32]) -> [Float] {
    let size = images.pixelsPerImage
    return indices.flatMap { index in
        images.pixels[(Int(index) * size)..<(Int(index) * size + size)].map { Float($0) / 255 }
    }
}

/// 784-pixel images from `make(image, pixel) -> byte`.
private func images(_ count: Int, _ make: (Int, Int) -> UInt8) -> LabeledImages {
    var pixels: [UInt8] = []
    for image in 0..<count { for pixel in 0..<784 { pixels.append(make(image, pixel)) } }
    return LabeledImages(count: count, rows: 28, cols: 28, pixels: pixels, labels: [UInt8](repeating: 0, count: count))
}

/// |got - want| <= 1e-5·scale + 1e-30 entry by entry (`scale` = Σ of the terms' magnitudes).
private func expectWithinSummationOrder(_ got: [Float], _ want: [Double], _ scale: [Double], _ what: String,
                                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got.count == want.count, sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(got.count, want.count) {
        let excess = abs(Double(got[i]) - want[i]) - (1e-5 * scale[i] + 1e-30)
        if !(excess <= worst) { worst = excess.isNaN ? .infinity : excess; worstIndex = i }
    }
    #expect(worstIndex < 0, "\(what): entry \(worstIndex) off by \(worst) beyond tolerance", sourceLocation: sourceLocation)
}

/// What the kernels produce for one batch, variant and thread count.
private struct Outputs: Equatable {
    var forward: [Float], forwardReLU: [Float]
    var updated: [Float], updatedBias: [Float]
    var decayed: [Float], decayedBias: [Float]
    var gradient: [Float], gradientBias: [Float]
}

/// Runs forward, the fused SGD update (beta 1 and 0.99) and the gradient (into NaN-filled buffers,
/// which beta 0 must not read) through `SparseInput`.
private func run(_ images: LabeledImages, _ indices: [Int32], hidden: Int, variant: SparseKernelVariant,
                 threads: Int, w: [Float], b: [Float], dz: [Float]) -> Outputs {
    let sparse = SparseInput(inputSize: 784, maxBatch: max(indices.count, 1), variant: variant, threads: threads)
    indices.withUnsafeBufferPointer { sparse.load(images, indices: $0) }
    let batch = indices.count
    var z = [Float](repeating: .nan, count: batch * hidden), zr = z
    sparse.forward(weights: w, bias: b, output: &z, hidden: hidden, relu: false)
    sparse.forward(weights: w, bias: b, output: &zr, hidden: hidden, relu: true)
    var w1 = w, b1 = b, w2 = w, b2 = b
    sparse.update(dOutput: dz, weights: &w1, bias: &b1, hidden: hidden, alpha: -0.2, beta: 1)
    sparse.update(dOutput: dz, weights: &w2, bias: &b2, hidden: hidden, alpha: -0.2, beta: 0.99)
    var g = [Float](repeating: .nan, count: w.count), gb = [Float](repeating: .nan, count: hidden)
    sparse.gradient(dOutput: dz, dWeights: &g, dBias: &gb, hidden: hidden)
    return Outputs(forward: z, forwardReLU: zr, updated: w1, updatedBias: b1, decayed: w2, decayedBias: b2,
                   gradient: g, gradientBias: gb)
}

/// Checks every output against the double reference, for every supported variant and 1-4 threads;
/// within a variant the results must not depend on the thread count, bit for bit.
private func checkBatch(_ images: LabeledImages, _ indices: [Int32], hidden: Int, _ what: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let batch = indices.count, inputs = 784
    let x = denseBatch(images, indices)
    let w = values(inputs * hidden, seed: UInt64(hidden) + 1).map { $0 * 0.1 }
    let b = values(hidden, seed: 99)
    let dz = values(batch * hidden, seed: UInt64(batch) + 7)

    // Double references and their magnitude scales.
    var z = [Double](repeating: 0, count: batch * hidden), zScale = z
    for r in 0..<batch {
        for j in 0..<hidden {
            var sum = Double(b[j]), scale = abs(Double(b[j]))
            for k in 0..<inputs where x[r * inputs + k] != 0 {
                let term = Double(x[r * inputs + k]) * Double(w[k * hidden + j])
                sum += term; scale += abs(term)
            }
            z[r * hidden + j] = sum; zScale[r * hidden + j] = scale
        }
    }
    var g = [Double](repeating: 0, count: inputs * hidden), gScale = g
    for r in 0..<batch {
        for k in 0..<inputs where x[r * inputs + k] != 0 {
            let xv = Double(x[r * inputs + k])
            for j in 0..<hidden {
                let term = xv * Double(dz[r * hidden + j])
                g[k * hidden + j] += term; gScale[k * hidden + j] += abs(term)
            }
        }
    }
    var gb = [Double](repeating: 0, count: hidden), gbScale = gb
    for r in 0..<batch { for j in 0..<hidden { gb[j] += Double(dz[r * hidden + j]); gbScale[j] += abs(Double(dz[r * hidden + j])) } }
    func step(_ p: [Float], _ grad: [Double], _ gradScale: [Double], beta: Double) -> ([Double], [Double]) {
        (zip(p, grad).map { beta * Double($0) - 0.2 * $1 }, zip(p, gradScale).map { abs(beta * Double($0)) + 0.2 * $1 })
    }
    let (w1, w1Scale) = step(w, g, gScale, beta: 1), (b1, b1Scale) = step(b, gb, gbScale, beta: 1)
    let (w2, w2Scale) = step(w, g, gScale, beta: 0.99), (b2, b2Scale) = step(b, gb, gbScale, beta: 0.99)

    for variant in SparseKernelVariant.supported {
        var first: Outputs?
        for threads in 1...4 {
            let out = run(images, indices, hidden: hidden, variant: variant, threads: threads, w: w, b: b, dz: dz)
            let label = "\(what), hidden \(hidden), \(variant.rawValue), \(threads) threads"
            if let first {
                #expect(out == first, "\(label): differs from 1 thread", sourceLocation: sourceLocation)
                continue
            }
            first = out
            expectWithinSummationOrder(out.forward, z, zScale, "\(label): forward", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.forwardReLU, z.map { max($0, 0) }, zScale, "\(label): forward ReLU",
                                       sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.updated, w1, w1Scale, "\(label): SGD update", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.updatedBias, b1, b1Scale, "\(label): SGD bias", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.decayed, w2, w2Scale, "\(label): update with decay", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.decayedBias, b2, b2Scale, "\(label): bias with decay", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.gradient, g, gScale, "\(label): gradient", sourceLocation: sourceLocation)
            expectWithinSummationOrder(out.gradientBias, gb, gbScale, "\(label): bias gradient", sourceLocation: sourceLocation)
            // Rows of pixels dark in the whole batch keep their exact bits in the plain SGD step.
            for k in 0..<inputs where (0..<batch).allSatisfy({ x[$0 * inputs + k] == 0 }) {
                #expect(Array(out.updated[(k * hidden)..<((k + 1) * hidden)]) == Array(w[(k * hidden)..<((k + 1) * hidden)]),
                        "\(label): dark row \(k) changed", sourceLocation: sourceLocation)
            }
        }
    }
}

@Suite("Sparse first layer")
struct SparseInputTests {
    @Test("The pixel table is the dense path's division, for every byte")
    func pixelScale() {
        withUnsafeBytes(of: sk_pixel_scale) { raw in
            let table = raw.bindMemory(to: Float.self)
            for byte in 0..<256 { #expect(table[byte] == Float(byte) / 255, "byte \(byte)") }
        }
    }

    @Test("The CSR holds exactly the nonzero pixels, in order, with the dense path's values")
    func csrMatchesDense() {
        let data = images(5) { image, pixel in UInt8((image * 131 + pixel * 7) % 256 * (pixel % 3 == 0 ? 1 : 0)) }
        let indices: [Int32] = [3, 0, 4, 4]
        let sparse = SparseInput(inputSize: 784, maxBatch: 4)
        indices.withUnsafeBufferPointer { sparse.load(data, indices: $0) }
        let x = denseBatch(data, indices)
        #expect(sparse.batch == 4)
        #expect(sparse.nonzeroCount == x.filter { $0 != 0 }.count)
        let active = (0..<784).filter { k in (0..<4).contains { x[$0 * 784 + k] != 0 } }.count
        #expect(sparse.activeColumnCount == active)
        #expect(sparse.density == Double(sparse.nonzeroCount) / Double(4 * active))
        // The same batch by range gives the same counts.
        let byRange = SparseInput(inputSize: 784, maxBatch: 4)
        byRange.load(data, range: 1..<5)
        let y = denseBatch(data, [1, 2, 3, 4])
        #expect(byRange.nonzeroCount == y.filter { $0 != 0 }.count)
    }

    @Test("The dense fallback: X in the gather's pass, or expanded from the CSR, full or compacted")
    func denseFallback() throws {
        let mnist = try Dataset.load(.bundledMNIST)
        let indices: [Int32] = [7, 59_999, 123, 7, 40_000]
        let x = denseBatch(mnist.train, indices)
        let sparse = SparseInput(inputSize: 784, maxBatch: 5)
        var inPass = [Float](repeating: .nan, count: x.count), expanded = inPass
        indices.withUnsafeBufferPointer { sparse.load(mnist.train, indices: $0, dense: &inPass) }
        sparse.expand(into: &expanded)
        #expect(inPass == x)
        #expect(expanded == x)
        let active = (0..<784).filter { k in (0..<5).contains { x[$0 * 784 + k] != 0 } }
        #expect(Array(UnsafeBufferPointer(start: sparse.activeColumns, count: sparse.activeColumnCount)) == active.map(Int32.init))
        var compacted = [Float](repeating: .nan, count: 5 * active.count)
        sparse.expandCompacted(into: &compacted)
        #expect(compacted == (0..<5).flatMap { r in active.map { x[r * 784 + $0] } })
        // By range too, with the dense pass.
        var byRange = [Float](repeating: .nan, count: 3 * 784)
        sparse.load(mnist.train, range: 100..<103, dense: &byRange)
        #expect(byRange == denseBatch(mnist.train, [100, 101, 102]))
    }

    @Test("Real MNIST batches: every variant and thread count against the double reference",
          arguments: [100, 512])
    func realMNIST(hidden: Int) throws {
        let mnist = try Dataset.load(.bundledMNIST)
        var generator = SeededGenerator(seed: 12)
        let size = hidden == 512 ? 32 : 256  // keeps the Double reference quick in a debug build
        let indices = (0..<size).map { _ in Int32(generator.next() % UInt64(mnist.train.count)) }
        checkBatch(mnist.train, indices, hidden: hidden, "MNIST batch of \(size)")
        let sparse = SparseInput(inputSize: 784, maxBatch: size)
        indices.withUnsafeBufferPointer { sparse.load(mnist.train, indices: $0) }
        #expect(sparse.density > 0.1 && sparse.density < 0.35)  // MNIST is sparse: these kernels' case
    }

    @Test("Adversarial batches at awkward widths", arguments: [1, 7, 33, 512])
    func adversarial(hidden: Int) {
        let batch = 9
        let cases: [(String, LabeledImages)] = [
            ("all zero", images(batch) { _, _ in 0 }),
            ("all nonzero", images(batch) { image, pixel in UInt8(1 + (image * 89 + pixel * 13) % 255) }),
            ("one pixel", images(batch) { image, pixel in image == 4 && pixel == 401 ? 200 : 0 }),
            ("all 255", images(batch) { _, _ in 255 }),
            ("last pixel of each word and of the image", images(batch) { _, pixel in pixel % 8 == 7 ? 1 : 0 }),
        ]
        for (name, data) in cases {
            checkBatch(data, (0..<Int32(batch)).map { $0 }, hidden: hidden, name)
        }
        let single = images(1) { _, pixel in UInt8(pixel % 256) }
        checkBatch(single, [0], hidden: hidden, "batch of 1")
    }

    /// The forward pass walks pixels in bands of SK_ROW_BAND (192: an image of 784 has five, the
    /// last of 16) and the update images in bands of SK_IMAGE_BAND (128), the split over threads
    /// cutting the images elsewhere (multiples of 8). Batches of 129 and 257 put one image past a
    /// band; the cases leave bands full, empty, or lit in a single image.
    @Test("Batches that cross the kernels' bands of pixels and of images", arguments: [129, 257])
    func bands(batch: Int) throws {
        let mnist = try Dataset.load(.bundledMNIST)
        var generator = SeededGenerator(seed: UInt64(batch))
        let cases: [(String, LabeledImages, [Int32])] = [
            ("shuffled MNIST", mnist.train, (0..<batch).map { _ in Int32(generator.next() % UInt64(mnist.train.count)) }),
            ("all nonzero", images(batch) { image, pixel in UInt8(1 + (image * 31 + pixel * 7) % 255) }, []),
            ("one pixel in the image past the band", images(batch) { image, pixel in
                image == 128 && pixel == 191 ? 77 : 0 }, []),
            ("every other image dark, pixels only at band edges", images(batch) { image, pixel in
                image % 2 == 0 && [0, 191, 192, 383, 768, 783].contains(pixel) ? UInt8(1 + image % 255) : 0 }, []),
        ]
        for (name, data, indices) in cases {
            checkBatch(data, indices.isEmpty ? (0..<Int32(batch)).map { $0 } : indices, hidden: 33,
                       "\(name), batch of \(batch)")
        }
    }

    @Test("The density rule sends dense batches to BLAS and sparse ones to the kernels")
    func densityRule() {
        let dense = images(8) { image, pixel in UInt8(1 + (image + pixel) % 255) }
        let sparseImages = images(8) { image, pixel in (pixel + image) % 10 == 0 ? 255 : 0 }
        let input = SparseInput(inputSize: 784, maxBatch: 8)
        input.load(dense, range: 0..<8)
        #expect(input.density == 1 && !input.prefersSparse)
        input.load(sparseImages, range: 0..<8)
        #expect(input.density < SparseInput.densityThreshold)
        #expect(input.prefersSparse == (SparseKernelVariant.best != .scalar))
    }

    /// Densities of 20 shuffled batches of 256.
    private func densities(_ images: LabeledImages) -> [Double] {
        let input = SparseInput(inputSize: 784, maxBatch: 256)
        var generator = SeededGenerator(seed: 5)
        return (0..<20).map { _ in
            let indices = (0..<256).map { _ in Int32(generator.next() % UInt64(images.count)) }
            indices.withUnsafeBufferPointer { input.load(images, indices: $0) }
            return input.density
        }
    }

    @Test("Shuffled MNIST batches of 256 are below the threshold: they go sparse")
    func mnistGoesSparse() throws {
        let mnist = densities(try Dataset.load(.bundledMNIST).train)
        #expect(mnist.allSatisfy { $0 > 0.2 && $0 < SparseInput.densityThreshold }, "\(mnist)")
    }

    /// Installed here and in CI (Debian's dataset-fashion-mnist); skipped where it is absent.
    @Test("Fashion-MNIST batches of 256 are above the threshold: they go to BLAS",
          .enabled(if: FileManager.default.fileExists(atPath: DatasetSource.fashionFolder)))
    func fashionGoesDense() throws {
        let fashion = densities(try Dataset.load(.fashion).train)
        #expect(fashion.allSatisfy { $0 > 0.4 && $0 > SparseInput.densityThreshold }, "\(fashion)")
    }

    /// Every vector variant fuses its multiply-adds in the same order, so they agree bit for bit
    /// (AVX-512 with AVX2 on x86-64). Skipped on CPUs without AVX-512 (the Zen 2 this was written on).
    @Test("AVX-512 and AVX2 give the same bits",
          .enabled(if: SparseKernelVariant.avx512.isSupported && SparseKernelVariant.avx2.isSupported))
    func vectorVariantsAgree() throws {
        let mnist = try Dataset.load(.bundledMNIST)
        let indices = (0..<Int32(64)).map { $0 * 97 }
        for hidden in [33, 512] {
            let w = values(784 * hidden, seed: 3), b = values(hidden, seed: 4), dz = values(64 * hidden, seed: 5)
            let avx2 = run(mnist.train, indices, hidden: hidden, variant: .avx2, threads: 2, w: w, b: b, dz: dz)
            let avx512 = run(mnist.train, indices, hidden: hidden, variant: .avx512, threads: 3, w: w, b: b, dz: dz)
            #expect(avx2 == avx512, "hidden \(hidden)")
        }
    }

    @Test("The best variant is among the supported ones and names itself")
    func variants() {
        #expect(SparseKernelVariant.supported.contains(.scalar))
        #expect(SparseKernelVariant.supported.contains(SparseKernelVariant.best))
        #expect(String(cString: sk_kernels_best().pointee.name) == SparseKernelVariant.best.rawValue)
        #if arch(x86_64)
        #expect(!SparseKernelVariant.neon.isSupported)
        #elseif arch(arm64)
        #expect(SparseKernelVariant.best == .neon)
        #endif
    }
}
